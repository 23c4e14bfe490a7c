#include "kamusm/card/akis.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <initializer_list>

namespace kamusm::card {

namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

constexpr std::uint8_t pinReference = 0x81;
const Bytes applicationId = fromHex("F0 4B 41 4D 55 53 4D 01"); // "F0" + "KAMUSM" + 01

// GET DATA `00 CA 01 06`: 77 bytes; the serial is bytes 55..66 in ASCII digits.
constexpr std::size_t serialDataLength = 77;
constexpr std::size_t serialOffset = 55;
constexpr std::size_t serialLength = 12;

// The historical-byte mask of AKIS cards: 0xFF bytes must match, 0x00 bytes are free.
constexpr std::array<std::uint8_t, 15> akisHistorical{
    0x80, 0x67, 0x55, 0x45, 0x4B, 0x41, 0x45, 0x00, 0x00, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80};
constexpr std::array<std::uint8_t, 15> akisMask{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
                                                0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

// Status words of the PIN commands (card-profile.md), 63Cx handled apart.
struct PinStatusRow {
    std::uint16_t sw;
    ErrorCode code;
    const char* text;
};
constexpr std::array<PinStatusRow, 6> pinStatusTable{{
    {0x6983, ErrorCode::PinBlocked, "the PIN is blocked"},
    {0x6984, ErrorCode::PinNotSet, "the card has no PIN yet"},
    {0x6700, ErrorCode::PinFormat, "the card refused the PIN length (6 to 12 digits)"},
    {0x6A80, ErrorCode::PinFormat, "the card refused the PIN: digits only"},
    {0x6982, ErrorCode::SecurityNotSatisfied, "the card needs the PIN first"},
    {0x6A82, ErrorCode::FileNotFound, "the card has no such object"},
}};

// Each PIN after its length, in a buffer sized once: a buffer that grows leaves the bytes it
// had behind, unwiped.
Bytes lengthPrefixed(std::initializer_list<std::reference_wrapper<const Pin>> pins) {
    std::size_t size = 0;
    for (const Pin& pin : pins)
        size += 1 + pin.size();
    Bytes out;
    out.reserve(size);
    for (const Pin& pin : pins) {
        out.push_back(static_cast<std::uint8_t>(pin.size()));
        out.insert(out.end(), pin.bytes().begin(), pin.bytes().end());
    }
    return out;
}

// Wipes the PIN-bearing command once it has been sent.
struct PinCommand {
    CommandApdu apdu;
    ~PinCommand() { wipe(apdu.data); }
};

[[noreturn]] void throwUnexpected(const char* what, std::uint16_t sw) {
    throw Error(ErrorCode::UnexpectedStatus,
                std::string(what) + " failed with status " +
                    toHex(Bytes{static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)}),
                sw);
}

// READ BINARY offsets above this need SFI addressing: no certificate file is that large.
constexpr std::size_t maximumFileSize = 0x7FFF;
constexpr std::size_t maxShortLe = 256;

// The size of the DER SEQUENCE (X.509 certificate) that `head` starts with, header included:
// 30 then a short-form length or the long form 81 xx / 82 xx xx.
std::size_t derSize(ByteView head) {
    const auto malformed = [] {
        throw Error(ErrorCode::MalformedData,
                    "the certificate file does not hold a DER certificate");
    };
    if (head.size() < 2 || head[0] != 0x30) malformed();
    std::size_t lengthBytes = 0, length = head[1];
    if (head[1] & 0x80) {
        lengthBytes = head[1] & 0x7F;
        if (lengthBytes == 0 || lengthBytes > 2 || head.size() < 2 + lengthBytes) malformed();
        length = 0;
        for (std::size_t i = 0; i < lengthBytes; ++i)
            length = length << 8 | head[2 + i];
    }
    const std::size_t size = 2 + lengthBytes + length;
    if (size > maximumFileSize) malformed();
    return size;
}

} // namespace

bool isAkisCard(const iso7816::Atr& atr) {
    if (atr.historical.size() != akisHistorical.size()) return false;
    for (std::size_t i = 0; i < akisHistorical.size(); ++i)
        if ((atr.historical[i] & akisMask[i]) != akisHistorical[i]) return false;
    return true;
}

void checkPinStatus(std::uint16_t sw) {
    if (sw == 0x9000) return;
    if ((sw & 0xFFF0) == 0x63C0) {
        const int triesLeft = sw & 0x0F;
        throw Error(ErrorCode::WrongPin, "wrong PIN, " + std::to_string(triesLeft) + " tries left",
                    sw, triesLeft);
    }
    for (const PinStatusRow& row : pinStatusTable)
        if (row.sw == sw) throw Error(row.code, row.text, sw);
    throwUnexpected("the PIN command", sw);
}

Task<ResponseApdu> AkisCard::send(const CommandApdu& command) {
    co_return co_await iso7816::transmit(channel_, command);
}

Task<void> AkisCard::selectApplication() {
    const ResponseApdu response = co_await send({0x00, 0xA4, 0x04, 0x0C, applicationId, {}});
    if (response.sw() == 0x6A82)
        throw Error(ErrorCode::NotKamusmCard, "the card has no KamuSM e-signature application",
                    response.sw());
    if (!response.ok()) throwUnexpected("selecting the e-signature application", response.sw());
}

Task<std::string> AkisCard::readSerial() {
    const ResponseApdu response = co_await send({0x00, 0xCA, 0x01, 0x06, {}, serialDataLength});
    if (!response.ok()) throwUnexpected("reading the card serial", response.sw());
    if (response.data.size() < serialOffset + serialLength)
        throw Error(ErrorCode::MalformedData, "the card serial data is too short");
    std::string serial(response.data.begin() + serialOffset,
                       response.data.begin() + serialOffset + serialLength);
    if (!std::all_of(serial.begin(), serial.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw Error(ErrorCode::MalformedData, "the card serial is not all digits");
    co_return serial;
}

Task<Bytes> AkisCard::readCertificate(Certificate which) {
    co_await selectApplication();
    const Bytes fileId = which == Certificate::Signing ? Bytes{0x2F, 0x01} : Bytes{0x2F, 0x02};
    const ResponseApdu selected = co_await send({0x00, 0xA4, 0x00, 0x0C, fileId, {}});
    if (selected.sw() == 0x6A82)
        throw Error(ErrorCode::FileNotFound, "the card has no such certificate", selected.sw());
    if (!selected.ok()) throwUnexpected("selecting the certificate", selected.sw());

    // The first READ BINARY brings the DER header; its length says how much more to read, so
    // that every later READ BINARY asks for exactly what is left: nothing past the end (no 6282,
    // no 6B00 at an exact multiple of 256, no 6Cxx re-send under T=0).
    Bytes certificate = co_await readBinary(0, maxShortLe);
    const std::size_t size = derSize(certificate);
    bool ended = certificate.size() < maxShortLe; // a shorter answer: the file has no more
    while (certificate.size() < size) {
        if (ended)
            throw Error(ErrorCode::MalformedData,
                        "the certificate file ends before its DER length");
        const std::size_t wanted = std::min(size - certificate.size(), maxShortLe);
        const Bytes chunk = co_await readBinary(certificate.size(), wanted);
        ended = chunk.size() < wanted;
        certificate.insert(certificate.end(), chunk.begin(),
                           chunk.begin() +
                               static_cast<std::ptrdiff_t>(std::min(chunk.size(), wanted)));
    }
    certificate.resize(size); // the file may hold padding after the certificate
    co_return certificate;
}

Task<Bytes> AkisCard::readBinary(std::size_t offset, std::size_t length) {
    const ResponseApdu chunk = co_await send({0x00,
                                              0xB0,
                                              static_cast<std::uint8_t>(offset >> 8),
                                              static_cast<std::uint8_t>(offset),
                                              {},
                                              length});
    // 6282: the file ended first; what came is all there is.
    if (!chunk.ok() && chunk.sw() != 0x6282) throwUnexpected("reading the certificate", chunk.sw());
    co_return chunk.data;
}

Task<PinStatus> AkisCard::pinStatus() {
    const ResponseApdu response = co_await send({0x00, 0x20, 0x00, pinReference, {}, {}});
    const std::uint16_t sw = response.sw();
    if (sw == 0x9000) co_return PinStatus{PinState::Verified, 3};
    if ((sw & 0xFFF0) == 0x63C0) co_return PinStatus{PinState::Set, sw & 0x0F};
    if (sw == 0x6983) co_return PinStatus{PinState::Blocked, 0};
    if (sw == 0x6984) co_return PinStatus{PinState::NotSet, 0};
    throwUnexpected("reading the PIN status", sw);
}

Task<void> AkisCard::verifyPin(const Pin& pin) {
    PinCommand command{
        {0x00, 0x20, 0x00, pinReference, Bytes(pin.bytes().begin(), pin.bytes().end()), {}}};
    const ResponseApdu response = co_await send(command.apdu);
    checkPinStatus(response.sw());
}

Task<void> AkisCard::changePin(const Pin& currentPin, const Pin& newPin) {
    PinCommand command{{0x00, 0x24, 0x01, pinReference, lengthPrefixed({currentPin, newPin}), {}}};
    const ResponseApdu response = co_await send(command.apdu);
    checkPinStatus(response.sw());
}

Task<Bytes> AkisCard::getChallenge() {
    constexpr std::size_t challengeLength = 16;
    const ResponseApdu response = co_await send({0x00, 0x84, 0x00, 0x00, {}, challengeLength});
    if (!response.ok()) throwUnexpected("GET CHALLENGE", response.sw());
    if (response.data.size() != challengeLength)
        throw Error(ErrorCode::MalformedData, "the card's challenge is not 16 bytes");
    co_return response.data;
}

Task<void> AkisCard::externalAuthenticate(const Bytes& cryptogram) {
    const ResponseApdu response = co_await send({0x00, 0x82, 0x00, 0x01, cryptogram, {}});
    const std::uint16_t sw = response.sw();
    if (sw == 0x9000) co_return;
    if ((sw & 0xFFF0) == 0x63C0)
        throw Error(ErrorCode::AuthorizationRefused, "the card refused the authorization", sw,
                    sw & 0x0F);
    if (sw == 0x6983)
        throw Error(ErrorCode::AuthorizationBlocked, "the card accepts no more authorizations", sw);
    throwUnexpected("EXTERNAL AUTHENTICATE", sw);
}

Task<void> AkisCard::resetRetryCounter(const Pin& newPin) {
    // P1 02: new PIN only, granted by the EXTERNAL AUTHENTICATE just before. Never P1 00 (PUK).
    PinCommand command{
        {0x00, 0x2C, 0x02, pinReference, Bytes(newPin.bytes().begin(), newPin.bytes().end()), {}}};
    const ResponseApdu response = co_await send(command.apdu);
    checkPinStatus(response.sw());
}

Task<Bytes> AkisCard::sign(const Bytes& digestInfo) {
    const ResponseApdu environment =
        co_await send({0x00, 0x22, 0x41, 0xB6, fromHex("84 01 01"), {}});
    if (!environment.ok()) throwUnexpected("MSE SET", environment.sw());
    const ResponseApdu signature = co_await send({0x00, 0x2A, 0x9E, 0x9A, digestInfo, 256});
    if (signature.sw() == 0x6982)
        throw Error(ErrorCode::SecurityNotSatisfied, "the card needs the PIN before signing",
                    0x6982);
    if (!signature.ok()) throwUnexpected("PSO COMPUTE DIGITAL SIGNATURE", signature.sw());
    co_return signature.data;
}

} // namespace kamusm::card
