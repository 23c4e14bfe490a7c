// The signature self-test after a PIN operation: the card signs a fresh SHA-256 digest with the
// signing key (the PIN must be verified in this card session) and the signature is verified
// against the signing certificate's public key.
#pragma once

#include "kamusm/card/akis.hpp"

namespace kamusm::card {

// True when the card's signature verifies; throws card::Error when the card refuses to sign.
Task<bool> signatureSelfTest(AkisCard& card, ByteView signingCertificate);

} // namespace kamusm::card
