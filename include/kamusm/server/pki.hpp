// Certificates with mbedTLS: the demo CA that issues card certificates, and the check that a
// card's certificate comes from the configured CA and names the holder.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <ctime>
#include <string>
#include <string_view>

namespace kamusm::server {

struct IssuedKey {
    Bytes certificate; // X.509 DER
    Bytes privateKey;  // PKCS#8 DER (unencrypted PrivateKeyInfo)
};

// Generates an RSA-2048 key pair (PKCS#8 DER of the private key).
Bytes generateRsaKey();

// A CA that signs card certificates (SHA-256 with RSA).
class CertificateAuthority {
public:
    // A fresh self-signed CA with subject `name` ("CN=...,O=...,C=TR"), valid 20 years.
    static CertificateAuthority generate(const std::string& name);
    CertificateAuthority(Bytes certificate, Bytes privateKey);

    // A signing certificate for `tckn` (subject serialNumber) and `holderName` (CN) over a fresh
    // RSA-2048 key, valid from `notBefore` to `notAfter`.
    IssuedKey issue(std::string_view tckn, std::string_view holderName, std::time_t notBefore,
                    std::time_t notAfter) const;

    const Bytes& certificate() const { return certificate_; }
    const Bytes& privateKey() const { return privateKey_; }

private:
    Bytes certificate_;
    Bytes privateKey_;
    std::string subject_;
};

enum class CertificateStatus { Valid, Malformed, Untrusted, Expired };
struct CertificateCheck {
    CertificateStatus status = CertificateStatus::Malformed;
    std::string tckn; // the subject's serialNumber when it is 11 digits, else empty
};

// Verifies `certificate` (DER) against the one trusted CA certificate (DER) at the current time.
CertificateCheck checkCertificate(ByteView certificate, ByteView caCertificate);

} // namespace kamusm::server
