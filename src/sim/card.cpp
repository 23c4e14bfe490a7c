#include "kamusm/sim/card.hpp"

#include "kamusm/iso7816/error.hpp"

#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

namespace kamusm::sim {

namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

constexpr std::uint8_t pinReference = 0x81;
constexpr std::size_t pinMin = 6, pinMax = 12, pukLength = 8;
constexpr std::size_t challengeLength = 16, serialDataLength = 77, serialOffset = 55;
constexpr std::uint16_t fidMf = 0x3F00, fidEsign = 0x3D00, fidSigning = 0x2F01,
                        fidEncryption = 0x2F02;
const Bytes esignAid = fromHex("F0 4B 41 4D 55 53 4D 01"); // "F0" + "KAMUSM" + 01

// AKIS v1.3 (card-profile.md): TA1=96, TD1=81 (T=1), TD2=31, TA3=FE (IFSC 254), TB3=45
// (BWI 4, CWI 5), 15 historical bytes "UEKAE" ..., TCK.
const Bytes atrT1 = fromHex("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B");
// The T=0 variant: T0=9F (TA1 and TD1 follow, 15 historical bytes), TA1=96, TD1=00 (no further
// interface bytes, T=0), then the same historical bytes so the AKIS profile matches. With only
// T=0 announced ISO 7816-3 §8.2.5 forbids a TCK, so none follows.
const Bytes atrT0 = fromHex("3B 9F 96 00 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80");

ResponseApdu status(std::uint16_t sw) {
    return {{}, static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)};
}
ResponseApdu withData(Bytes data, std::uint16_t sw = 0x9000) {
    ResponseApdu response = status(sw);
    response.data = std::move(data);
    return response;
}
ResponseApdu triesLeft(int tries) {
    return status(static_cast<std::uint16_t>(0x63C0 | std::clamp(tries, 0, 15)));
}

bool allDigits(ByteView text) {
    return std::all_of(text.begin(), text.end(), [](auto c) { return c >= '0' && c <= '9'; });
}

// 6700 for a length outside 6..12, 6A80 for a non-digit, 9000 for a well-formed PIN.
std::uint16_t checkPinFormat(ByteView pin) {
    if (pin.size() < pinMin || pin.size() > pinMax) return 0x6700;
    return allDigits(pin) ? 0x9000 : 0x6A80;
}

bool equals(ByteView bytes, const std::string& text) {
    return std::equal(bytes.begin(), bytes.end(), text.begin(), text.end(),
                      [](std::uint8_t b, char c) { return b == static_cast<std::uint8_t>(c); });
}

Bytes cmac(ByteView key, ByteView message) {
    if (key.size() != 16) throw std::invalid_argument("AES-128 CMAC needs a 16-byte key");
    Bytes mac(16);
    const auto* info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    if (mbedtls_cipher_cmac(info, key.data(), 128, message.data(), message.size(), mac.data()) != 0)
        throw std::runtime_error("mbedtls_cipher_cmac failed");
    return mac;
}

void append(Bytes& out, const std::string& text) {
    out.insert(out.end(), text.begin(), text.end());
}

std::uint8_t high(std::size_t value) {
    return static_cast<std::uint8_t>(value >> 8);
}
std::uint8_t low(std::size_t value) {
    return static_cast<std::uint8_t>(value);
}

// The FCI of an EF: its size (80), descriptor "transparent EF" (82), identifier (83).
Bytes fileControlInformation(std::uint16_t fid, std::size_t size) {
    Bytes fci = fromHex("62 0B 80 02 0000 82 01 01 83 02 0000");
    fci[4] = high(size);
    fci[5] = low(size);
    fci[11] = high(fid);
    fci[12] = low(fid);
    return fci;
}

// The FCI of a DF: descriptor "DF" (82), identifier (83) and, for the e-signature DF, its name.
Bytes directoryControlInformation(std::uint16_t fid, ByteView aid) {
    Bytes fci{0x62, 0x00, 0x82, 0x01, 0x38, 0x83, 0x02, high(fid), low(fid)};
    if (!aid.empty()) {
        fci.insert(fci.end(), {0x84, low(aid.size())});
        fci.insert(fci.end(), aid.begin(), aid.end());
    }
    fci[1] = low(fci.size() - 2);
    return fci;
}

// Short APDUs only: a 00 byte opening a body of more than one byte marks the extended form.
std::optional<CommandApdu> decodeShort(ByteView bytes) {
    if (bytes.size() > 5 && bytes[4] == 0x00) return std::nullopt;
    try {
        return CommandApdu::decode(bytes);
    } catch (const iso7816::Error&) {
        return std::nullopt;
    }
}

std::mt19937 seededFrom(const std::string& serial) {
    std::seed_seq seed(serial.begin(), serial.end());
    return std::mt19937(seed);
}

// mbedTLS RNG callback for RSA blinding, fed by the card's simulator RNG.
int fillRandom(void* rng, unsigned char* out, std::size_t size) {
    auto& generator = *static_cast<std::mt19937*>(rng);
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<unsigned char>(generator());
    return 0;
}

// RSASSA-PKCS1-v1_5 over a DigestInfo the host built: the card pads and signs it as given.
std::optional<Bytes> signDigestInfo(ByteView pkcs8, ByteView digestInfo, std::mt19937& rng) {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    std::unique_ptr<mbedtls_pk_context, void (*)(mbedtls_pk_context*)> guard(&pk, mbedtls_pk_free);
    if (mbedtls_pk_parse_key(&pk, pkcs8.data(), pkcs8.size(), nullptr, 0) != 0 ||
        mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA)
        return std::nullopt;
    mbedtls_rsa_context* rsa = mbedtls_pk_rsa(pk);
    Bytes signature(mbedtls_rsa_get_len(rsa));
    if (digestInfo.size() + 11 > signature.size()) return std::nullopt;
    if (mbedtls_rsa_pkcs1_sign(rsa, fillRandom, &rng, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_NONE,
                               static_cast<unsigned int>(digestInfo.size()), digestInfo.data(),
                               signature.data()) != 0)
        return std::nullopt;
    return signature;
}

} // namespace

struct VirtualCard::Instruction {
    std::uint8_t ins;
    Response (VirtualCard::*handle)(const Command&);
};

const VirtualCard::Instruction VirtualCard::instructions[] = {
    {0xA4, &VirtualCard::select},
    {0xB0, &VirtualCard::readBinary},
    {0xCA, &VirtualCard::getData},
    {0x20, &VirtualCard::verify},
    {0x24, &VirtualCard::changeReferenceData},
    {0x2C, &VirtualCard::resetRetryCounter},
    {0x84, &VirtualCard::getChallenge},
    {0x82, &VirtualCard::externalAuthenticate},
    {0x22, &VirtualCard::manageSecurityEnvironment},
    {0x2A, &VirtualCard::performSecurityOperation},
};

VirtualCard::VirtualCard(CardSetup setup)
    : setup_(std::move(setup)), pinTries_(setup_.pinTries), pukTries_(setup_.pukTries),
      adminTries_(setup_.adminTries), random_(seededFrom(setup_.serial)) {
    if (setup_.serial.size() != 12) throw std::invalid_argument("the card serial has 12 digits");
    if (setup_.masterKey.size() != 16) throw std::invalid_argument("MK is an AES-128 key");
    for (std::uint8_t& byte : pinSalt_)
        byte = static_cast<std::uint8_t>(random_());
    if (setup_.pin) {
        const std::string& pin = *setup_.pin;
        pinDigest_ =
            digestOf(ByteView(reinterpret_cast<const std::uint8_t*>(pin.data()), pin.size()));
        wipe(*setup_.pin);
        setup_.pin.reset();
    }
}

// Like a card's reference data, the PIN is kept as a salted digest, never as digits: a scan of
// the host's memory for PINs (tests, the fault campaign) then finds only what the host kept.
Bytes VirtualCard::digestOf(ByteView pin) const {
    Bytes input(pinSalt_.begin(), pinSalt_.end());
    input.insert(input.end(), pin.begin(), pin.end());
    Bytes digest(32);
    mbedtls_sha256_ret(input.data(), input.size(), digest.data(), 0);
    wipe(input);
    return digest;
}

bool VirtualCard::holdsPin(ByteView pin) const {
    return pinDigest_ && *pinDigest_ == digestOf(pin);
}

Bytes VirtualCard::atr() const {
    return setup_.protocol == CardProtocol::T1 ? atrT1 : atrT0;
}

void VirtualCard::reset() {
    currentDirectory_ = Directory::Mf;
    currentFile_.reset();
    pinVerified_ = false;
    signingEnvironmentSet_ = false;
    challenge_.reset();
    authorizationPending_ = false;
    authorizedNow_ = false;
}

PinState VirtualCard::pinState() const {
    if (terminated() || (pinDigest_ && pinTries_ == 0)) return PinState::Blocked;
    return pinDigest_ ? PinState::Set : PinState::NotSet;
}

ResponseApdu VirtualCard::process(ByteView command) {
    if (auto decoded = decodeShort(command)) {
        const WipeOnExit wipeData(decoded->data); // VERIFY, CHANGE and RESET carry PINs
        return process(*decoded);
    }
    authorizationPending_ = false; // an undecodable command still comes between
    return status(0x6700);
}

ResponseApdu VirtualCard::process(const CommandApdu& command) {
    authorizedNow_ = std::exchange(authorizationPending_, false);
    if (command.cla != 0x00) return status(0x6E00);
    const auto* end = std::end(instructions);
    const auto* found = std::find_if(std::begin(instructions), end,
                                     [&](const Instruction& i) { return i.ins == command.ins; });
    if (found == end) return status(0x6D00);
    if (command.extended()) return status(0x6700); // short APDUs only
    return (this->*found->handle)(command);
}

const Bytes* VirtualCard::fileById(std::uint16_t fid) const {
    if (currentDirectory_ != Directory::Esign) return nullptr;
    if (fid == fidSigning) return &setup_.signingCertificate;
    if (fid == fidEncryption && !setup_.encryptionCertificate.empty())
        return &setup_.encryptionCertificate;
    return nullptr;
}

// SELECT by FID (P1=00; EFs also with P1=02) or by DF name (P1=04); P2=0C: no answer data,
// P2=00: FCI. A failed SELECT leaves the current selection as it was.
ResponseApdu VirtualCard::select(const Command& command) {
    if (command.p2 != 0x0C && command.p2 != 0x00) return status(0x6A86);
    const bool wantFci = command.p2 == 0x00;
    if (command.p1 == 0x04) {
        if (command.data.empty() || command.data.size() > 16) return status(0x6700);
        return command.data == esignAid ? enter(Directory::Esign, wantFci) : status(0x6A82);
    }
    if (command.p1 != 0x00 && command.p1 != 0x02) return status(0x6A86);
    if (command.data.size() != 2) return status(0x6700);
    const auto fid = static_cast<std::uint16_t>(command.data[0] << 8 | command.data[1]);
    // The e-signature DF is a child of the MF (and "itself" once selected).
    if (command.p1 == 0x00 && fid == fidMf) return enter(Directory::Mf, wantFci);
    if (command.p1 == 0x00 && fid == fidEsign) return enter(Directory::Esign, wantFci);
    const Bytes* file = fileById(fid);
    if (!file) return status(0x6A82);
    currentFile_ = fid;
    return wantFci ? withData(fileControlInformation(fid, file->size())) : status(0x9000);
}

ResponseApdu VirtualCard::enter(Directory directory, bool wantFci) {
    currentDirectory_ = directory;
    currentFile_.reset();
    if (!wantFci) return status(0x9000);
    return withData(directory == Directory::Mf ? directoryControlInformation(fidMf, {})
                                               : directoryControlInformation(fidEsign, esignAid));
}

// READ BINARY: Le bytes from the offset; fewer + 6282 at the end; 6B00 from the end on.
ResponseApdu VirtualCard::readBinary(const Command& command) {
    if (!command.data.empty() || !command.le) return status(0x6700);
    if (command.p1 & 0x80) return status(0x6A86); // short EF identifiers are not supported
    const Bytes* file = currentFile_ ? fileById(*currentFile_) : nullptr;
    if (!file) return status(0x6986);
    const std::size_t offset = static_cast<std::size_t>(command.p1 << 8 | command.p2);
    if (offset >= file->size()) return status(0x6B00);
    const std::size_t count = std::min(*command.le, file->size() - offset);
    const auto first = file->begin() + static_cast<std::ptrdiff_t>(offset);
    return withData(Bytes(first, first + static_cast<std::ptrdiff_t>(count)),
                    count < *command.le ? 0x6282 : 0x9000);
}

// GET DATA 01 06: 77 bytes with the serial in ASCII at 55..66; the rest is fixed filler.
ResponseApdu VirtualCard::getData(const Command& command) {
    if (!command.data.empty() || !command.le) return status(0x6700);
    if (command.p1 != 0x01 || command.p2 != 0x06) return status(0x6A88);
    if (*command.le < serialDataLength)
        return status(static_cast<std::uint16_t>(0x6C00 | serialDataLength));
    Bytes data(serialDataLength);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(0x5A ^ (i * 29));
    std::copy(setup_.serial.begin(), setup_.serial.end(), data.begin() + serialOffset);
    return withData(std::move(data));
}

ResponseApdu VirtualCard::pinStatus() const {
    if (!pinDigest_) return status(0x6984);
    if (pinTries_ == 0) return status(0x6983);
    return pinVerified_ ? status(0x9000) : triesLeft(pinTries_);
}

ResponseApdu VirtualCard::checkPinAndCount(ByteView pin) {
    if (holdsPin(pin)) {
        pinTries_ = setup_.pinTries;
        return status(0x9000);
    }
    pinVerified_ = false;
    if (pinTryObserver_) pinTryObserver_(pin);
    return triesLeft(--pinTries_);
}

void VirtualCard::setPin(ByteView pin) {
    pinDigest_ = digestOf(pin);
    pinTries_ = setup_.pinTries;
}

// VERIFY 00 20 00 81: with no data the PIN status, else a PIN check that counts a try.
ResponseApdu VirtualCard::verify(const Command& command) {
    if (command.p1 != 0x00) return status(0x6A86);
    if (command.p2 != pinReference) return status(0x6A88);
    if (command.le) return status(0x6700);
    if (terminated()) return status(0x6983);
    if (const auto state = pinStatus().sw();
        command.data.empty() || state == 0x6984 || state == 0x6983)
        return pinStatus();
    if (const auto format = checkPinFormat(command.data); format != 0x9000) return status(format);
    const Response result = checkPinAndCount(command.data);
    pinVerified_ = result.ok();
    return result;
}

// CHANGE REFERENCE DATA 00 24 01 81: len(old) old len(new) new. Both PINs are checked for form
// before the old one is compared, so a malformed command never costs a try.
ResponseApdu VirtualCard::changeReferenceData(const Command& command) {
    if (command.p1 != 0x01) return status(0x6A86);
    if (command.p2 != pinReference) return status(0x6A88);
    const ByteView data = command.data;
    if (command.le || data.empty() || data[0] + 2u > data.size()) return status(0x6700);
    const ByteView oldPin = data.subspan(1, data[0]);
    const ByteView rest = data.subspan(1 + oldPin.size());
    if (rest[0] + 1u != rest.size()) return status(0x6700);
    const ByteView newPin = rest.subspan(1);
    if (terminated()) return status(0x6983);
    if (const auto state = pinStatus().sw(); state == 0x6984 || state == 0x6983)
        return status(state);
    for (ByteView pin : {oldPin, newPin})
        if (const auto format = checkPinFormat(pin); format != 0x9000) return status(format);
    const Response result = checkPinAndCount(oldPin);
    if (!result.ok()) return result;
    setPin(newPin);
    pinVerified_ = true; // the holder has just proven the old PIN
    return result;
}

// RESET RETRY COUNTER: P1=00 with PUK + new PIN (the project never sends it), P1=02 with only
// the new PIN, allowed once right after EXTERNAL AUTHENTICATE.
ResponseApdu VirtualCard::resetRetryCounter(const Command& command) {
    if (command.p1 == 0x00) ++pukCommandsSeen_;
    if (command.p1 != 0x00 && command.p1 != 0x02) return status(0x6A86);
    if (command.p2 != pinReference) return status(0x6A88);
    if (command.le) return status(0x6700);
    if (terminated()) return status(0x6983);
    if (command.p1 == 0x02) {
        if (!authorizedNow_) return status(0x6982);
        if (const auto format = checkPinFormat(command.data); format != 0x9000)
            return status(format);
        setPin(command.data);
        pinVerified_ = false;
        return status(0x9000);
    }
    const ByteView data = command.data;
    if (data.size() < pukLength + pinMin || data.size() > pukLength + pinMax) return status(0x6700);
    const ByteView puk = data.first(pukLength), newPin = data.subspan(pukLength);
    if (!allDigits(puk) || !allDigits(newPin)) return status(0x6A80);
    if (!equals(puk, setup_.puk)) return triesLeft(--pukTries_); // 0 left: terminated
    pukTries_ = setup_.pukTries;
    setPin(newPin);
    pinVerified_ = false;
    return status(0x9000);
}

// GET CHALLENGE 00 84 00 00 10: 16 fresh bytes that replace any earlier challenge.
ResponseApdu VirtualCard::getChallenge(const Command& command) {
    if (command.p1 != 0x00 || command.p2 != 0x00) return status(0x6A86);
    if (!command.data.empty() || command.le != challengeLength) return status(0x6700);
    std::array<std::uint8_t, challengeLength> challenge{};
    for (auto& byte : challenge)
        byte = static_cast<std::uint8_t>(random_());
    challenge_ = challenge;
    return withData(Bytes(challenge.begin(), challenge.end()));
}

Bytes VirtualCard::deriveUnblockKey(ByteView masterKey, const std::string& serial) {
    // NIST SP 800-108 counter mode, one block: 01 || label || 00 || context || L=0080.
    Bytes input{0x01};
    append(input, "PINUNBLOCK");
    input.push_back(0x00);
    append(input, serial);
    input.insert(input.end(), {0x00, 0x80});
    return cmac(masterKey, input);
}

Bytes VirtualCard::unblockCryptogram(ByteView unblockKey, ByteView challenge,
                                     const std::string& serial) {
    Bytes input(challenge.begin(), challenge.end());
    append(input, serial);
    input.insert(input.end(), {0x2C, pinReference});
    return cmac(unblockKey, input);
}

// EXTERNAL AUTHENTICATE 00 82 00 01 10 C: a right cryptogram over the (consumed) challenge
// grants one RESET RETRY COUNTER P1=02 as the very next command.
ResponseApdu VirtualCard::externalAuthenticate(const Command& command) {
    if (command.p1 != 0x00) return status(0x6A86);
    if (command.p2 != 0x01) return status(0x6A88);
    if (command.data.size() != challengeLength || command.le) return status(0x6700);
    if (adminTries_ == 0) return status(0x6983);
    if (!challenge_) return status(0x6985);
    const auto challenge = *std::exchange(challenge_, std::nullopt);
    const Bytes expected = unblockCryptogram(deriveUnblockKey(setup_.masterKey, setup_.serial),
                                             challenge, setup_.serial);
    if (command.data != expected) return triesLeft(--adminTries_);
    adminTries_ = setup_.adminTries;
    authorizationPending_ = true;
    return status(0x9000);
}

// MSE SET 00 22 41 B6 03 84 01 01: the signing key for PSO COMPUTE DIGITAL SIGNATURE.
ResponseApdu VirtualCard::manageSecurityEnvironment(const Command& command) {
    if (command.p1 != 0x41 || command.p2 != 0xB6) return status(0x6A86);
    if (command.data.size() != 3 || command.le) return status(0x6700);
    if (command.data[0] != 0x84 || command.data[1] != 0x01) return status(0x6A80);
    if (command.data[2] != 0x01) return status(0x6A88);
    signingEnvironmentSet_ = true;
    return status(0x9000);
}

// PSO COMPUTE DIGITAL SIGNATURE 00 2A 9E 9A: signs the DigestInfo in the data field.
ResponseApdu VirtualCard::performSecurityOperation(const Command& command) {
    if (command.p1 != 0x9E || command.p2 != 0x9A) return status(0x6A86);
    if (command.data.empty()) return status(0x6700);
    if (!pinVerified_) return status(0x6982);
    if (!signingEnvironmentSet_) return status(0x6985);
    if (setup_.signingKey.empty()) return status(0x6A88);
    auto signature = signDigestInfo(setup_.signingKey, command.data, random_);
    if (!signature) return status(0x6A80);
    return withData(std::move(*signature));
}

} // namespace kamusm::sim
