// What the wizard shows and the backend checks of a card's signing certificate, parsed with
// mbedTLS: the holder, the TCKN from the subject's serialNumber, the issuer and validity.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <string>

namespace kamusm::card {

struct CertificateInfo {
    std::string holderName;          // subject CN (UTF-8)
    std::string tckn;                // subject serialNumber, 11 digits ("TCKN" prefixes removed)
    std::string issuer;              // issuer CN
    std::string subject;             // the whole subject DN, as text
    std::string notBefore, notAfter; // "YYYY-MM-DD"
    bool nonRepudiation = false;     // keyUsage: a qualified signing certificate
    std::string sha256;              // fingerprint, uppercase hex with ':'
};

// Throws card::Error{MalformedData} when the bytes are not an X.509 certificate.
CertificateInfo parseCertificate(ByteView der);

// The certificate's validity at `unixSeconds` (the caller's clock; mbedTLS's own may be absent).
bool validAt(const CertificateInfo& certificate, long long unixSeconds);

} // namespace kamusm::card
