#include "kamusm/server/pki.hpp"

#include "kamusm/server/crypto.hpp"

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace kamusm::server {

namespace {

template <typename T, void (*init)(T*), void (*release)(T*)> struct Scoped {
    T value;
    Scoped() { init(&value); }
    ~Scoped() { release(&value); }
    Scoped(const Scoped&) = delete;
    Scoped& operator=(const Scoped&) = delete;
    T* operator&() { return &value; }
};
using Pk = Scoped<mbedtls_pk_context, mbedtls_pk_init, mbedtls_pk_free>;
using Crt = Scoped<mbedtls_x509_crt, mbedtls_x509_crt_init, mbedtls_x509_crt_free>;
using CrtWrite =
    Scoped<mbedtls_x509write_cert, mbedtls_x509write_crt_init, mbedtls_x509write_crt_free>;
using Mpi = Scoped<mbedtls_mpi, mbedtls_mpi_init, mbedtls_mpi_free>;

void check(int rc, const char* what) {
    if (rc != 0)
        throw std::runtime_error(std::string(what) + " failed (mbedTLS -0x" + std::to_string(-rc) +
                                 ")");
}

// DER writers of mbedTLS fill the buffer from its end.
template <typename Write> Bytes writeBackwards(std::size_t capacity, Write write) {
    Bytes buffer(capacity);
    int length = write(buffer.data(), buffer.size());
    check(length < 0 ? length : 0, "DER encoding");
    return Bytes(buffer.end() - length, buffer.end());
}

// PrivateKeyInfo { version 0, AlgorithmIdentifier rsaEncryption NULL, OCTET STRING RSAPrivateKey }.
Bytes wrapPkcs8(const Bytes& pkcs1) {
    static constexpr std::array<std::uint8_t, 18> head{0x02, 0x01, 0x00, 0x30, 0x0D, 0x06,
                                                       0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                                       0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    auto lengthBytes = [](std::size_t length) {
        Bytes out;
        if (length < 0x80) return Bytes{static_cast<std::uint8_t>(length)};
        for (std::size_t l = length; l != 0; l >>= 8)
            out.insert(out.begin(), static_cast<std::uint8_t>(l));
        out.insert(out.begin(), static_cast<std::uint8_t>(0x80 | out.size()));
        return out;
    };
    Bytes body(head.begin(), head.end());
    body.push_back(0x04);
    Bytes octetLength = lengthBytes(pkcs1.size());
    body.insert(body.end(), octetLength.begin(), octetLength.end());
    body.insert(body.end(), pkcs1.begin(), pkcs1.end());
    Bytes out{0x30};
    Bytes sequenceLength = lengthBytes(body.size());
    out.insert(out.end(), sequenceLength.begin(), sequenceLength.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

void parseKey(Pk& pk, const Bytes& der) {
    check(mbedtls_pk_parse_key(&pk, der.data(), der.size(), nullptr, 0), "parsing a private key");
}

std::string asn1Time(std::time_t when) {
    std::tm parts{};
    gmtime_r(&when, &parts);
    std::array<char, 16> text{};
    std::strftime(text.data(), text.size(), "%Y%m%d%H%M%S", &parts);
    return text.data();
}

void setRandomSerial(CrtWrite& writer) {
    Bytes serial = randomBytes(16);
    serial[0] &= 0x7F; // positive INTEGER
    serial[0] |= 0x01; // and no leading zero byte
    Mpi mpi;
    check(mbedtls_mpi_read_binary(&mpi, serial.data(), serial.size()), "serial number");
    check(mbedtls_x509write_crt_set_serial(&writer, &mpi), "serial number");
}

Bytes writeCertificate(CrtWrite& writer) {
    return writeBackwards(4096, [&](unsigned char* buffer, std::size_t size) {
        return mbedtls_x509write_crt_der(&writer, buffer, size, randomCallback, nullptr);
    });
}

constexpr long long yearSeconds = 365LL * 24 * 3600;

} // namespace

Bytes generateRsaKey() {
    Pk pk;
    check(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), "key setup");
    check(mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk.value), randomCallback, nullptr, 2048, 65537),
          "RSA key generation");
    Bytes pkcs1 = writeBackwards(4096, [&](unsigned char* buffer, std::size_t size) {
        return mbedtls_pk_write_key_der(&pk, buffer, size);
    });
    Bytes pkcs8 = wrapPkcs8(pkcs1);
    wipe(pkcs1);
    return pkcs8;
}

CertificateAuthority CertificateAuthority::generate(const std::string& name) {
    Bytes key = generateRsaKey();
    Pk pk;
    parseKey(pk, key);
    CrtWrite writer;
    mbedtls_x509write_crt_set_version(&writer, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&writer, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&writer, &pk);
    mbedtls_x509write_crt_set_issuer_key(&writer, &pk);
    check(mbedtls_x509write_crt_set_subject_name(&writer, name.c_str()), "CA subject");
    check(mbedtls_x509write_crt_set_issuer_name(&writer, name.c_str()), "CA issuer");
    setRandomSerial(writer);
    std::time_t now = std::time(nullptr);
    check(mbedtls_x509write_crt_set_validity(&writer, asn1Time(now - 3600).c_str(),
                                             asn1Time(now + 20 * yearSeconds).c_str()),
          "CA validity");
    check(mbedtls_x509write_crt_set_basic_constraints(&writer, 1, 0), "CA basic constraints");
    check(mbedtls_x509write_crt_set_key_usage(&writer, MBEDTLS_X509_KU_KEY_CERT_SIGN |
                                                           MBEDTLS_X509_KU_CRL_SIGN),
          "CA key usage");
    check(mbedtls_x509write_crt_set_subject_key_identifier(&writer), "CA key identifier");
    return CertificateAuthority(writeCertificate(writer), std::move(key));
}

CertificateAuthority::CertificateAuthority(Bytes certificate, Bytes privateKey)
    : certificate_(std::move(certificate)), privateKey_(std::move(privateKey)) {
    Crt crt;
    check(mbedtls_x509_crt_parse_der(&crt, certificate_.data(), certificate_.size()),
          "parsing the CA certificate");
    std::array<char, 512> subject{};
    if (mbedtls_x509_dn_gets(subject.data(), subject.size(), &crt.value.subject) < 0)
        throw std::runtime_error("the CA subject does not fit");
    // dn_gets separates with ", "; the name parser wants plain commas.
    for (const char* c = subject.data(); *c; ++c)
        if (!(*c == ' ' && c > subject.data() && c[-1] == ',')) subject_ += *c;
    Pk pk;
    parseKey(pk, privateKey_);
}

IssuedKey CertificateAuthority::issue(std::string_view tckn, std::string_view holderName,
                                      std::time_t notBefore, std::time_t notAfter) const {
    Bytes key = generateRsaKey();
    Pk subjectKey, issuerKey;
    parseKey(subjectKey, key);
    parseKey(issuerKey, privateKey_);
    CrtWrite writer;
    mbedtls_x509write_crt_set_version(&writer, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&writer, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&writer, &subjectKey);
    mbedtls_x509write_crt_set_issuer_key(&writer, &issuerKey);
    std::string subject =
        "CN=" + std::string(holderName) + ",serialNumber=" + std::string(tckn) + ",C=TR";
    check(mbedtls_x509write_crt_set_subject_name(&writer, subject.c_str()), "subject");
    check(mbedtls_x509write_crt_set_issuer_name(&writer, subject_.c_str()), "issuer");
    setRandomSerial(writer);
    check(mbedtls_x509write_crt_set_validity(&writer, asn1Time(notBefore).c_str(),
                                             asn1Time(notAfter).c_str()),
          "validity");
    check(mbedtls_x509write_crt_set_basic_constraints(&writer, 0, -1), "basic constraints");
    check(mbedtls_x509write_crt_set_key_usage(&writer, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
                                                           MBEDTLS_X509_KU_NON_REPUDIATION),
          "key usage");
    check(mbedtls_x509write_crt_set_authority_key_identifier(&writer), "authority key id");
    return IssuedKey{writeCertificate(writer), std::move(key)};
}

CertificateCheck checkCertificate(ByteView certificate, ByteView caCertificate) {
    Crt crt, ca;
    if (mbedtls_x509_crt_parse_der(&crt, certificate.data(), certificate.size()) != 0) return {};
    check(mbedtls_x509_crt_parse_der(&ca, caCertificate.data(), caCertificate.size()),
          "parsing the CA certificate");
    CertificateCheck result;
    for (const mbedtls_x509_name* name = &crt.value.subject; name; name = name->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_SERIAL_NUMBER, &name->oid) != 0) continue;
        std::string value(reinterpret_cast<const char*>(name->val.p), name->val.len);
        if (value.size() == 11 && std::all_of(value.begin(), value.end(), ::isdigit))
            result.tckn = value;
    }
    std::uint32_t flags = 0;
    mbedtls_x509_crt_verify(&crt, &ca, nullptr, nullptr, &flags, nullptr, nullptr);
    constexpr std::uint32_t timeFlags = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;
    if (flags & ~timeFlags)
        result.status = CertificateStatus::Untrusted;
    else if (flags & timeFlags)
        result.status = CertificateStatus::Expired;
    else
        result.status = CertificateStatus::Valid;
    return result;
}

} // namespace kamusm::server
