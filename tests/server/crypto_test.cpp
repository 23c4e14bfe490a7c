#include "kamusm/server/crypto.hpp"
#include "kamusm/server/pki.hpp"

#include <doctest/doctest.h>

#include <ctime>

using namespace kamusm;
using namespace kamusm::server;

TEST_CASE("card-profile.md unblock test vector") {
    Bytes mk = fromHex("000102030405060708090A0B0C0D0E0F");
    CHECK(toHex(cardKey(mk, "123456789012")) == "417C9961D32915420B0A63B30771F5C9");
    CHECK(
        toHex(unblockCryptogram(mk, "123456789012", fromHex("00112233445566778899AABBCCDDEEFF"))) ==
        "90B1BE7C39156A510D670E597A0D7973");
}

TEST_CASE("AES-CMAC matches NIST SP 800-38B example 2") {
    Bytes key = fromHex("2B7E151628AED2A6ABF7158809CF4F3C");
    CHECK(toHex(aesCmac(key, fromHex("6BC1BEE22E409F96E93D7E117393172A"))) ==
          "070A16B46B4D4144F79BDD9DD04A287C");
}

TEST_CASE("PBKDF2-HMAC-SHA256 matches RFC 7914's test vector") {
    Bytes salt{'s', 'a', 'l', 't'};
    CHECK(toHex(pbkdf2("passwd", salt, 1)).starts_with("55AC046E56E3089FEC1691C22544B605"));
}

TEST_CASE("random digits are digits of the asked length") {
    std::string digits = randomDigits(15);
    CHECK(digits.size() == 15);
    CHECK(digits.find_first_not_of("0123456789") == std::string::npos);
    CHECK(randomDigits(15) != digits);
}

TEST_CASE("constant-time comparison") {
    CHECK(constantTimeEqual(std::string_view("123456"), std::string_view("123456")));
    CHECK_FALSE(constantTimeEqual(std::string_view("123456"), std::string_view("123457")));
    CHECK_FALSE(constantTimeEqual(std::string_view("12345"), std::string_view("123456")));
}

TEST_CASE("the CA issues certificates that check against it and only it") {
    CertificateAuthority ca = CertificateAuthority::generate("CN=Test CA,C=TR");
    CertificateAuthority other = CertificateAuthority::generate("CN=Other CA,C=TR");
    std::time_t now = std::time(nullptr);
    IssuedKey issued = ca.issue("10000000146", "TEST HOLDER", now - 60, now + 3600);

    CertificateCheck check = checkCertificate(issued.certificate, ca.certificate());
    CHECK(check.status == CertificateStatus::Valid);
    CHECK(check.tckn == "10000000146");
    CHECK(checkCertificate(issued.certificate, other.certificate()).status ==
          CertificateStatus::Untrusted);
    IssuedKey expired = ca.issue("10000000146", "TEST HOLDER", now - 7200, now - 3600);
    CHECK(checkCertificate(expired.certificate, ca.certificate()).status ==
          CertificateStatus::Expired);
    Bytes garbage{0x30, 0x03, 0x02, 0x01};
    CHECK(checkCertificate(garbage, ca.certificate()).status == CertificateStatus::Malformed);
    // PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, SEQUENCE { rsaEncryption, NULL }, ... }
    CHECK(toHex(Bytes(issued.privateKey.begin() + 4, issued.privateKey.begin() + 22)) ==
          "020100300D06092A864886F70D0101010500");
}
