#include "kamusm/card/certificate.hpp"

#include "kamusm/card/error.hpp"

#include <mbedtls/oid.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <memory>

namespace kamusm::card {

namespace {

struct Certificate {
    mbedtls_x509_crt crt;
    Certificate() { mbedtls_x509_crt_init(&crt); }
    ~Certificate() { mbedtls_x509_crt_free(&crt); }
};

// The value of the first attribute `oid` in a distinguished name, as its raw (UTF-8) bytes.
std::string attribute(const mbedtls_x509_name* name, const char* oid, std::size_t oidLength) {
    for (; name != nullptr; name = name->next)
        if (name->oid.len == oidLength && std::equal(name->oid.p, name->oid.p + oidLength, oid))
            return std::string(reinterpret_cast<const char*>(name->val.p), name->val.len);
    return {};
}

std::string date(const mbedtls_x509_time& time) {
    std::array<char, 11> text{};
    std::snprintf(text.data(), text.size(), "%04d-%02d-%02d", time.year, time.mon, time.day);
    return text.data();
}

// Some issuers write the TCKN as "TCKN12345678901" or "TR12345678901": keep the 11 digits.
std::string tcknOf(const std::string& serialNumber) {
    if (serialNumber.size() < 11) return serialNumber;
    const std::string digits = serialNumber.substr(serialNumber.size() - 11);
    for (char c : digits)
        if (c < '0' || c > '9') return serialNumber;
    return digits;
}

} // namespace

CertificateInfo parseCertificate(ByteView der) {
    Certificate certificate;
    if (mbedtls_x509_crt_parse_der(&certificate.crt, der.data(), der.size()) != 0)
        throw Error(ErrorCode::MalformedData, "the card's certificate is not an X.509 certificate");
    const mbedtls_x509_crt& crt = certificate.crt;
    CertificateInfo info;
    info.holderName =
        attribute(&crt.subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN));
    info.tckn = tcknOf(attribute(&crt.subject, MBEDTLS_OID_AT_SERIAL_NUMBER,
                                 MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_SERIAL_NUMBER)));
    info.issuer = attribute(&crt.issuer, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN));
    std::array<char, 1024> subject{};
    if (mbedtls_x509_dn_gets(subject.data(), subject.size(), &crt.subject) > 0)
        info.subject = subject.data();
    info.notBefore = date(crt.valid_from);
    info.notAfter = date(crt.valid_to);
    info.nonRepudiation =
        mbedtls_x509_crt_check_key_usage(&crt, MBEDTLS_X509_KU_NON_REPUDIATION) == 0 &&
        (crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0;
    std::array<unsigned char, 32> digest{};
    mbedtls_sha256_ret(der.data(), der.size(), digest.data(), 0);
    info.sha256 = toHex(digest, ':');
    return info;
}

bool validAt(const CertificateInfo& certificate, long long unixSeconds) {
    const std::time_t now = static_cast<std::time_t>(unixSeconds);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 11> today{};
    std::strftime(today.data(), today.size(), "%Y-%m-%d", &utc);
    return certificate.notBefore <= today.data() && today.data() <= certificate.notAfter;
}

} // namespace kamusm::card
