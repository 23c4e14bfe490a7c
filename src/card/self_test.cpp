#include "kamusm/card/self_test.hpp"

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <random>

namespace kamusm::card {

namespace {

// DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
const Bytes sha256DigestInfoPrefix = fromHex("3031300D060960864801650304020105000420");

bool verifies(ByteView certificateDer, const std::array<unsigned char, 32>& hash,
              const Bytes& signature) {
    mbedtls_x509_crt certificate;
    mbedtls_x509_crt_init(&certificate);
    bool ok = mbedtls_x509_crt_parse_der(&certificate, certificateDer.data(),
                                         certificateDer.size()) == 0 &&
              mbedtls_pk_verify(&certificate.pk, MBEDTLS_MD_SHA256, hash.data(), hash.size(),
                                signature.data(), signature.size()) == 0;
    mbedtls_x509_crt_free(&certificate);
    return ok;
}

} // namespace

Task<bool> signatureSelfTest(AkisCard& card, ByteView signingCertificate) {
    // A fresh message each time, so that an old signature cannot pass for a new one.
    std::random_device entropy;
    std::array<unsigned char, 32> message{};
    for (auto& byte : message)
        byte = static_cast<unsigned char>(entropy());
    std::array<unsigned char, 32> hash{};
    mbedtls_sha256_ret(message.data(), message.size(), hash.data(), 0);

    Bytes digestInfo = sha256DigestInfoPrefix;
    digestInfo.insert(digestInfo.end(), hash.begin(), hash.end());
    const Bytes signature = co_await card.sign(digestInfo);
    co_return verifies(signingCertificate, hash, signature);
}

} // namespace kamusm::card
