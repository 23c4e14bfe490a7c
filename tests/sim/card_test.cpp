// VirtualCard against every row of shared/spec/card-profile.md, byte-exact.
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/sim/card.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>
#include <mbedtls/asn1.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

using namespace kamusm;
using namespace kamusm::sim;

namespace {

// The card's answer to a hex APDU, as hex ("9000", "6A82", "<data>9000").
std::string answer(VirtualCard& card, std::string_view apdu) {
    return toHex(card.process(fromHex(apdu)).encode());
}

const std::string selectDf = "00 A4 04 0C 08 F0 4B 41 4D 55 53 4D 01";
const std::string selectSigning = "00 A4 00 0C 02 2F01";
const Bytes demoChallenge = fromHex("00112233445566778899AABBCCDDEEFF");

VirtualCard demoCard() {
    return VirtualCard(demoCardSetup());
}

VirtualCard freshCard() {
    CardSetup setup = demoCardSetup();
    setup.pin.reset();
    return VirtualCard(setup);
}

std::string hexOf(const std::string& text) {
    return toHex(Bytes(text.begin(), text.end()));
}

// The backend's cryptogram for the card's outstanding challenge.
std::string cryptogramFor(const Bytes& challenge) {
    const CardSetup setup = demoCardSetup();
    const Bytes key = VirtualCard::deriveUnblockKey(setup.masterKey, setup.serial);
    return toHex(VirtualCard::unblockCryptogram(key, challenge, setup.serial));
}

// GET CHALLENGE + EXTERNAL AUTHENTICATE with the right cryptogram.
void authorize(VirtualCard& card) {
    const auto challenge = card.process(fromHex("00 84 00 00 10"));
    REQUIRE(challenge.ok());
    REQUIRE(answer(card, "00 82 00 01 10" + cryptogramFor(challenge.data)) == "9000");
}

} // namespace

TEST_CASE("ATR: AKIS v1.3 for T=1, a T=0-only variant with the same historical bytes") {
    const VirtualCard t1 = demoCard();
    CHECK(toHex(t1.atr(), ' ') ==
          "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B");
    const auto parsedT1 = iso7816::parseAtr(t1.atr());
    CHECK(parsedT1.tckStatus == iso7816::TckStatus::Ok);
    CHECK(parsedT1.ifsc() == 254);

    const VirtualCard t0(demoCardSetup(CardProtocol::T0));
    CHECK(t0.protocol() == CardProtocol::T0);
    const auto parsedT0 = iso7816::parseAtr(t0.atr());
    CHECK(parsedT0.protocols() == std::vector<int>{0});
    CHECK(parsedT0.ta1() == 0x96);
    CHECK(parsedT0.tckStatus == iso7816::TckStatus::Absent);
    CHECK_FALSE(parsedT0.tckRequired());
    CHECK(parsedT0.historical == parsedT1.historical);
}

TEST_CASE("SELECT MF, DF by AID and by FID, EFs; 6A82 and 6A86") {
    VirtualCard card = demoCard();
    CHECK(answer(card, "00 A4 00 0C 02 3F00") == "9000");
    CHECK(answer(card, selectSigning) == "6A82"); // EFs live in the DF, not in the MF
    CHECK(answer(card, "00 A4 00 0C 02 3D00") == "9000");
    CHECK(answer(card, selectSigning) == "9000");
    CHECK(answer(card, "00 A4 00 0C 02 2F02") == "9000");
    CHECK(answer(card, "00 A4 02 0C 02 2F01") == "9000"); // P1=02: EF under the current DF
    CHECK(answer(card, "00 A4 02 0C 02 3F00") == "6A82");
    CHECK(answer(card, "00 A4 00 0C 02 2F03") == "6A82");
    CHECK(answer(card, "00 A4 00 0C 02 3F00") == "9000");
    CHECK(answer(card, selectDf) == "9000");
    CHECK(answer(card, selectSigning) == "9000");
    CHECK(answer(card, "00 A4 04 0C 08 F0 4B 41 4D 55 53 4D 02") == "6A82");
    CHECK(answer(card, "00 A4 00 04 02 3F00") == "6A86");
    CHECK(answer(card, "00 A4 08 0C 02 3F00") == "6A86");
    CHECK(answer(card, "00 A4 00 0C 01 3F") == "6700");
    CHECK(answer(card, "00 A4 00 0C") == "6700");
}

TEST_CASE("SELECT with P2=00 returns an FCI with the file size") {
    VirtualCard card = demoCard();
    REQUIRE(answer(card, selectDf) == "9000");
    const std::size_t size = demoSigningCertificate().size();
    const Bytes sizeBytes{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
    CHECK(answer(card, "00 A4 00 00 02 2F01 00") ==
          "620B8002" + toHex(sizeBytes) + "8201018302" + "2F01" + "9000");
    CHECK(answer(card, "00 A4 00 00 02 2F01") ==
          "620B8002" + toHex(sizeBytes) + "82010183022F019000");
    CHECK(answer(card, "00 A4 04 00 08 F0 4B 41 4D 55 53 4D 01 00") ==
          "621182013883023D008408F04B414D55534D019000");
}

TEST_CASE("an encryption certificate that is absent is not found") {
    CardSetup setup = demoCardSetup();
    setup.encryptionCertificate.clear();
    VirtualCard card(setup);
    REQUIRE(answer(card, selectDf) == "9000");
    CHECK(answer(card, "00 A4 00 0C 02 2F02") == "6A82");
}

TEST_CASE("READ BINARY: whole chunks, 6282 at the end, 6B00 past it, 6986 without an EF") {
    VirtualCard card = demoCard();
    CHECK(answer(card, "00 B0 00 00 00") == "6986");
    REQUIRE(answer(card, selectDf) == "9000");
    CHECK(answer(card, "00 B0 00 00 00") == "6986");
    REQUIRE(answer(card, selectSigning) == "9000");

    const ByteView certificate = demoSigningCertificate();
    REQUIRE(certificate.size() > 2048);
    REQUIRE(certificate.size() < 2048 + 256);
    CHECK(answer(card, "00 B0 00 00 00") == toHex(certificate.first(256)) + "9000");
    CHECK(answer(card, "00 B0 00 10 04") == toHex(certificate.subspan(16, 4)) + "9000");
    CHECK(answer(card, "00 B0 08 00 00") == toHex(certificate.subspan(2048)) + "6282");
    const std::size_t last = certificate.size() - 1;
    const Bytes lastOffset{static_cast<std::uint8_t>(last >> 8), static_cast<std::uint8_t>(last)};
    CHECK(answer(card, "00 B0" + toHex(lastOffset) + "01") == toHex(certificate.last(1)) + "9000");
    CHECK(answer(card, "00 B0" + toHex(lastOffset) + "02") == toHex(certificate.last(1)) + "6282");
    const Bytes endOffset{static_cast<std::uint8_t>(certificate.size() >> 8),
                          static_cast<std::uint8_t>(certificate.size())};
    CHECK(answer(card, "00 B0" + toHex(endOffset) + "00") == "6B00");
    CHECK(answer(card, "00 B0 7F FF 00") == "6B00");
    CHECK(answer(card, "00 B0 00 00") == "6700");
    CHECK(answer(card, "00 B0 81 00 00") == "6A86");

    // A failed SELECT keeps the EF; selecting a directory drops it.
    CHECK(answer(card, "00 A4 00 0C 02 2F09") == "6A82");
    CHECK(answer(card, "00 B0 00 00 01") == toHex(certificate.first(1)) + "9000");
    CHECK(answer(card, "00 A4 00 0C 02 3F00") == "9000");
    CHECK(answer(card, "00 B0 00 00 01") == "6986");
}

TEST_CASE("reading the whole signing certificate in 256-byte chunks") {
    VirtualCard card = demoCard();
    REQUIRE(answer(card, selectDf) == "9000");
    REQUIRE(answer(card, selectSigning) == "9000");
    Bytes read;
    for (std::size_t offset = 0;; offset += 256) {
        const auto chunk = card.process(iso7816::CommandApdu{0x00,
                                                             0xB0,
                                                             static_cast<std::uint8_t>(offset >> 8),
                                                             static_cast<std::uint8_t>(offset),
                                                             {},
                                                             256});
        read.insert(read.end(), chunk.data.begin(), chunk.data.end());
        if (chunk.sw() != 0x9000) {
            CHECK(chunk.sw() == 0x6282);
            break;
        }
    }
    CHECK(read == Bytes(demoSigningCertificate().begin(), demoSigningCertificate().end()));
}

TEST_CASE("the demo certificate: TCKN, Turkish CN, about 2 KB") {
    const ByteView certificate = demoSigningCertificate();
    const auto contains = [&](const Bytes& needle) {
        return std::search(certificate.begin(), certificate.end(), needle.begin(), needle.end()) !=
               certificate.end();
    };
    // serialNumber (2.5.4.5) PrintableString "10000000146"
    CHECK(contains(fromHex("0603550405130B" + hexOf("10000000146"))));
    // commonName UTF8String with ğ ü ş ı ö ç İ
    const std::string name(demoHolderName);
    CHECK(contains(fromHex("0603550403 0C" + toHex(Bytes{static_cast<std::uint8_t>(name.size())}) +
                           hexOf(name))));
    for (const char* letter : {"ğ", "ü", "ş", "ı", "ö", "ç", "İ"})
        CHECK(name.find(letter) != std::string::npos);
    CHECK(certificate.size() > 1900);
    CHECK(demoEncryptionCertificate().size() > 500);
    CHECK(demoCaCertificate().size() > 500);
}

TEST_CASE("GET DATA: 77 bytes with the serial at 55..66") {
    VirtualCard card = demoCard();
    const auto response = card.process(fromHex("00 CA 01 06 4D"));
    REQUIRE(response.ok());
    REQUIRE(response.data.size() == 77);
    CHECK(std::string(response.data.begin() + 55, response.data.begin() + 67) == "123456789012");
    CHECK(card.process(fromHex("00 CA 01 06 4D")).data == response.data); // deterministic
    CHECK(card.process(fromHex("00 CA 01 06 00")).data == response.data); // Le 256
    CHECK(answer(card, "00 CA 01 06 10") == "6C4D");
    CHECK(answer(card, "00 CA 01 06") == "6700");
    CHECK(answer(card, "00 CA 01 07 4D") == "6A88");
}

TEST_CASE("PIN status and VERIFY: tries, 63Cx, 6983, 6700, 6A80") {
    VirtualCard card = demoCard();
    CHECK(card.pinState() == PinState::Set);
    CHECK(answer(card, "00 20 00 81") == "63C3");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456")) == "9000");
    CHECK(answer(card, "00 20 00 81") == "9000");
    CHECK(card.pinVerified());

    CHECK(answer(card, "00 20 00 81 05" + hexOf("12345")) == "6700");
    CHECK(answer(card, "00 20 00 81 0D" + hexOf("1234567890123")) == "6700");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("12345A")) == "6A80");
    CHECK(card.pinTriesLeft() == 3); // malformed PINs cost no try
    CHECK(answer(card, "00 20 00 82 06" + hexOf("123456")) == "6A88");
    CHECK(answer(card, "00 20 01 81 06" + hexOf("123456")) == "6A86");

    CHECK(answer(card, "00 20 00 81 06" + hexOf("654321")) == "63C2");
    CHECK_FALSE(card.pinVerified());
    CHECK(answer(card, "00 20 00 81") == "63C2");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456")) == "9000"); // tries back to 3
    CHECK(answer(card, "00 20 00 81 06" + hexOf("000000")) == "63C2");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("000000")) == "63C1");
    CHECK(answer(card, "00 20 00 81 0C" + hexOf("000000000000")) == "63C0");
    CHECK(card.pinState() == PinState::Blocked);
    CHECK(answer(card, "00 20 00 81") == "6983");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456")) == "6983");
    CHECK(answer(card, "00 24 01 81 0E 06" + hexOf("123456") + "06" + hexOf("111111")) == "6983");
}

TEST_CASE("a factory-fresh card answers 6984 until a PIN is set") {
    VirtualCard card = freshCard();
    CHECK(card.pinState() == PinState::NotSet);
    CHECK(answer(card, "00 20 00 81") == "6984");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456")) == "6984");
    CHECK(answer(card, "00 24 01 81 0E 06" + hexOf("123456") + "06" + hexOf("111111")) == "6984");
}

TEST_CASE("CHANGE REFERENCE DATA with length-prefixed old and new PINs") {
    VirtualCard card = demoCard();
    const std::string change = "00 24 01 81 ";
    CHECK(answer(card, change + "0F 06" + hexOf("123456") + "07" + hexOf("7654321")) == "9000");
    CHECK(card.pinVerified());
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456")) == "63C2");
    CHECK(answer(card, "00 20 00 81 07" + hexOf("7654321")) == "9000");

    // Wrong old PIN counts a try; a broken new PIN is refused before the old one is compared.
    CHECK(answer(card, change + "0E 06" + hexOf("111111") + "06" + hexOf("222222")) == "63C2");
    CHECK(answer(card, change + "0F 07" + hexOf("7654321") + "06" + hexOf("22222X")) == "6A80");
    CHECK(answer(card, change + "0E 07" + hexOf("7654321") + "05" + hexOf("22222")) == "6700");
    CHECK(answer(card, change + "0E 05" + hexOf("76543") + "07" + hexOf("2222222")) == "6700");
    CHECK(card.pinTriesLeft() == 2);
    // Length prefixes that do not add up to Lc.
    CHECK(answer(card, change + "0E 07" + hexOf("7654321") + "07" + hexOf("222222")) == "6700");
    CHECK(answer(card, change + "07 07" + hexOf("7654321")) == "6700");
    CHECK(answer(card, change + "01 20") == "6700");
    CHECK(answer(card, "00 24 00 81 0F 07" + hexOf("7654321") + "06" + hexOf("222222")) == "6A86");
    CHECK(answer(card, change + "0F 07" + hexOf("7654321") + "06" + hexOf("222222")) == "9000");
    CHECK(card.pinTriesLeft() == 3);
}

TEST_CASE("RESET RETRY COUNTER with PUK: counted, works, terminates the card at 0 tries") {
    VirtualCard card = demoCard();
    for (int i = 0; i < 3; ++i)
        answer(card, "00 20 00 81 06" + hexOf("000000"));
    REQUIRE(card.pinState() == PinState::Blocked);
    const std::string withPuk = "00 2C 00 81 0E" + hexOf("12345678");
    CHECK(answer(card, withPuk + hexOf("246810")) == "9000");
    CHECK(card.pukCommandsSeen() == 1);
    CHECK(card.pinState() == PinState::Set);
    CHECK(answer(card, "00 20 00 81") == "63C3");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("246810")) == "9000");

    CHECK(answer(card, "00 2C 00 81 0D" + hexOf("12345678") + hexOf("24681")) == "6700");
    CHECK(answer(card, "00 2C 00 81 0E" + hexOf("1234567X") + hexOf("246810")) == "6A80");
    const std::string wrongPuk = "00 2C 00 81 0E" + hexOf("87654321") + hexOf("135790");
    CHECK(answer(card, wrongPuk) == "63C2");
    CHECK(answer(card, wrongPuk) == "63C1");
    CHECK_FALSE(card.terminated());
    CHECK(answer(card, wrongPuk) == "63C0");
    CHECK(card.terminated());
    CHECK(card.pukCommandsSeen() == 6);
    CHECK(card.pinState() == PinState::Blocked);
    // Terminated: every PIN command answers 6983, even with the right PUK or PIN.
    CHECK(answer(card, withPuk + hexOf("246810")) == "6983");
    CHECK(answer(card, "00 20 00 81") == "6983");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("246810")) == "6983");
    CHECK(answer(card, "00 24 01 81 0E 06" + hexOf("246810") + "06" + hexOf("111111")) == "6983");
    authorize(card);
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("111111")) == "6983");
    CHECK(card.pukCommandsSeen() == 7);
}

TEST_CASE("the reference unblock scheme: the spec's test vector") {
    const Bytes masterKey = fromHex("000102030405060708090A0B0C0D0E0F");
    const Bytes key = VirtualCard::deriveUnblockKey(masterKey, "123456789012");
    CHECK(toHex(key) == "417C9961D32915420B0A63B30771F5C9");
    CHECK(toHex(VirtualCard::unblockCryptogram(key, demoChallenge, "123456789012")) ==
          "90B1BE7C39156A510D670E597A0D7973");
}

TEST_CASE("GET CHALLENGE: 16 bytes, a new one replaces the old, single use") {
    VirtualCard card = demoCard();
    const auto first = card.process(fromHex("00 84 00 00 10"));
    REQUIRE(first.ok());
    CHECK(first.data.size() == 16);
    const auto second = card.process(fromHex("00 84 00 00 10"));
    CHECK(second.data != first.data);
    CHECK(answer(card, "00 82 00 01 10" + cryptogramFor(first.data)) == "63C9");  // replaced
    CHECK(answer(card, "00 82 00 01 10" + cryptogramFor(second.data)) == "6985"); // consumed
    CHECK(answer(card, "00 84 00 00 08") == "6700");
    CHECK(answer(card, "00 84 00 01 10") == "6A86");
}

TEST_CASE("EXTERNAL AUTHENTICATE grants one RESET RETRY COUNTER as the very next command") {
    VirtualCard card = demoCard();
    for (int i = 0; i < 3; ++i)
        answer(card, "00 20 00 81 06" + hexOf("000000"));
    REQUIRE(card.pinState() == PinState::Blocked);
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("135790")) == "6982");
    CHECK(answer(card, "00 82 00 01 10" + cryptogramFor(demoChallenge)) == "6985");

    authorize(card);
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("135790")) == "9000");
    CHECK(card.pinState() == PinState::Set);
    CHECK(card.pinTriesLeft() == 3);
    CHECK_FALSE(card.pinVerified());
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("999999")) == "6982"); // used up
    CHECK(answer(card, "00 20 00 81 06" + hexOf("135790")) == "9000");

    authorize(card); // any command in between spends the grant
    CHECK(answer(card, "00 20 00 81") == "9000");
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("999999")) == "6982");

    authorize(card); // a broken new PIN spends it too
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("99999A")) == "6A80");
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("999999")) == "6982");
    authorize(card);
    CHECK(answer(card, "00 2C 02 81 05" + hexOf("99999")) == "6700");

    authorize(card); // reset clears the grant
    card.reset();
    CHECK(answer(card, "00 2C 02 81 06" + hexOf("999999")) == "6982");
    CHECK(card.pukCommandsSeen() == 0);
}

TEST_CASE("EXTERNAL AUTHENTICATE creates a first PIN on a fresh card") {
    VirtualCard card = freshCard();
    authorize(card);
    CHECK(answer(card, "00 2C 02 81 08" + hexOf("24681357")) == "9000");
    CHECK(card.pinState() == PinState::Set);
    CHECK(answer(card, "00 20 00 81") == "63C3");
}

TEST_CASE("EXTERNAL AUTHENTICATE: 10 admin tries, 63Cx, then 6983") {
    VirtualCard card = demoCard();
    const std::string wrong = "00 82 00 01 10" + std::string(32, '0');
    for (int left = 9; left >= 0; --left) {
        REQUIRE(card.process(fromHex("00 84 00 00 10")).ok());
        CHECK(answer(card, wrong) == toHex(Bytes{0x63, static_cast<std::uint8_t>(0xC0 | left)}));
    }
    CHECK(card.adminTriesLeft() == 0);
    const auto challenge = card.process(fromHex("00 84 00 00 10"));
    CHECK(answer(card, "00 82 00 01 10" + cryptogramFor(challenge.data)) == "6983");
    CHECK(answer(card, "00 82 00 01 08 0001020304050607") == "6700");
    CHECK(answer(card, "00 82 00 02 10" + std::string(32, '0')) == "6A88");
}

TEST_CASE("a right cryptogram resets the admin counter") {
    VirtualCard card = demoCard();
    REQUIRE(card.process(fromHex("00 84 00 00 10")).ok());
    CHECK(answer(card, "00 82 00 01 10" + std::string(32, '0')) == "63C9");
    authorize(card);
    CHECK(card.adminTriesLeft() == 10);
}

namespace {

// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature with the public key of the signing certificate.
bool verifiedByCertificate(ByteView hash, ByteView signature) {
    const ByteView certificate = demoSigningCertificate();
    auto* p = const_cast<unsigned char*>(certificate.data());
    const unsigned char* end = p + certificate.size();
    std::size_t length = 0;
    const auto into = [&](int tag) { return mbedtls_asn1_get_tag(&p, end, &length, tag) == 0; };
    const auto skip = [&](int tag) {
        if (!into(tag)) return false;
        p += length;
        return true;
    };
    constexpr int sequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
    // Certificate → TBSCertificate → version, serial, signature, issuer, validity, subject, SPKI
    if (!into(sequence) || !into(sequence) ||
        !skip(MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) ||
        !skip(MBEDTLS_ASN1_INTEGER) || !skip(sequence) || !skip(sequence) || !skip(sequence) ||
        !skip(sequence))
        return false;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    const bool ok = mbedtls_pk_parse_subpubkey(&p, end, &pk) == 0 &&
                    mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, hash.data(), hash.size(),
                                      signature.data(), signature.size()) == 0;
    mbedtls_pk_free(&pk);
    return ok;
}

} // namespace

TEST_CASE("MSE SET + PSO COMPUTE DIGITAL SIGNATURE signs the DigestInfo with the card key") {
    VirtualCard card = demoCard();
    Bytes hash(32);
    const std::string message = "KamuSM imza öz-sınaması";
    mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       hash.data(), 0);
    const std::string digestInfo = "3031300D060960864801650304020105000420" + toHex(hash);
    const std::string pso = "00 2A 9E 9A 33" + digestInfo + "00";

    CHECK(answer(card, "00 22 41 B6 03 84 01 01") == "9000");
    CHECK(answer(card, pso) == "6982"); // PIN not verified
    REQUIRE(answer(card, "00 20 00 81 06" + hexOf("123456")) == "9000");
    const auto signature = card.process(fromHex(pso));
    REQUIRE(signature.ok());
    CHECK(signature.data.size() == 256);
    CHECK(verifiedByCertificate(hash, signature.data));
    Bytes tampered = hash;
    tampered[0] ^= 1;
    CHECK_FALSE(verifiedByCertificate(tampered, signature.data));

    card.reset(); // clears the verified PIN and the security environment
    CHECK(answer(card, pso) == "6982");
    REQUIRE(answer(card, "00 20 00 81 06" + hexOf("123456")) == "9000");
    CHECK(answer(card, pso) == "6985"); // no MSE SET since the reset
    CHECK(answer(card, "00 22 41 B6 03 84 01 02") == "6A88");
    CHECK(answer(card, "00 22 41 B6 02 84 01") == "6700");
    CHECK(answer(card, "00 22 41 A4 03 84 01 01") == "6A86");
    CHECK(answer(card, "00 22 41 B6 03 84 01 01") == "9000");
    CHECK(answer(card, "00 2A 9E 9B 33" + digestInfo + "00") == "6A86");
    CHECK(answer(card, "00 2A 9E 9A 00") == "6700");
    CHECK(card.process(fromHex(pso)).data == signature.data); // PKCS#1 v1.5 is deterministic
}

TEST_CASE("other answers: 6D00, 6E00, 6700, undecodable commands") {
    VirtualCard card = demoCard();
    CHECK(answer(card, "00 C0 00 00 10") == "6D00"); // GET RESPONSE is T=0 only
    CHECK(answer(card, "00 FE 00 00") == "6D00");
    CHECK(answer(card, "80 A4 00 0C 02 3F00") == "6E00");
    CHECK(answer(card, "0C A4 00 0C 02 3F00") == "6E00");
    CHECK(answer(card, "00 A4 00") == "6700");
    CHECK(answer(card, "00 A4 00 0C 05 3F00") == "6700");        // Lc runs past the end
    CHECK(answer(card, "00 A4 00 0C 00 00 02 3F 00") == "6700"); // extended
    CHECK(answer(card, "") == "6700");
    CHECK(answer(card, "00 20 00 81 06" + hexOf("123456") + "00") == "6700"); // Le on VERIFY
}

TEST_CASE("reset clears the verified PIN, the challenge and the selection") {
    VirtualCard card = demoCard();
    REQUIRE(answer(card, "00 20 00 81 06" + hexOf("123456")) == "9000");
    REQUIRE(answer(card, selectDf) == "9000");
    REQUIRE(answer(card, selectSigning) == "9000");
    const auto challenge = card.process(fromHex("00 84 00 00 10"));
    card.reset();
    CHECK(answer(card, "00 20 00 81") == "63C3");
    CHECK(answer(card, "00 B0 00 00 01") == "6986");
    CHECK(answer(card, "00 82 00 01 10" + cryptogramFor(challenge.data)) == "6985");
}

TEST_CASE("a copied card carries its own state") {
    VirtualCard card = demoCard();
    REQUIRE(answer(card, selectDf) == "9000");
    REQUIRE(answer(card, selectSigning) == "9000");
    const VirtualCard copy = card;
    VirtualCard other = copy;
    CHECK(answer(other, "00 B0 00 00 02") == toHex(demoSigningCertificate().first(2)) + "9000");
    CHECK(answer(other, "00 A4 00 0C 02 3F00") == "9000");
    CHECK(answer(card, "00 B0 00 00 02") == toHex(demoSigningCertificate().first(2)) + "9000");
}

TEST_CASE("a card setup with a malformed serial or master key is refused") {
    CardSetup setup = demoCardSetup();
    setup.serial = "1234";
    CHECK_THROWS_AS(VirtualCard{setup}, std::invalid_argument);
    setup = demoCardSetup();
    setup.masterKey = fromHex("0001");
    CHECK_THROWS_AS(VirtualCard{setup}, std::invalid_argument);
}

TEST_CASE("the embedded fixtures are the committed DER files") {
    const auto file = [](const char* name) {
        std::ifstream in(std::string(KAMUSM_SOURCE_DIR) + "/assets/sim/" + name, std::ios::binary);
        return Bytes(std::istreambuf_iterator<char>(in), {});
    };
    const auto bytes = [](ByteView view) { return Bytes(view.begin(), view.end()); };
    CHECK(file("test-ca.der") == bytes(demoCaCertificate()));
    CHECK(file("signing-cert.der") == bytes(demoSigningCertificate()));
    CHECK(file("signing-key.pk8.der") == bytes(demoSigningKey()));
    CHECK(file("encryption-cert.der") == bytes(demoEncryptionCertificate()));
}
