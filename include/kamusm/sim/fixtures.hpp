// The demo card's TEST-ONLY certificates and key (assets/sim/, made by make-fixtures.sh and
// embedded into the library by the generated src/sim/fixture_data.cpp). They protect nothing.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/sim/card.hpp"

#include <memory>
#include <string_view>

namespace kamusm::sim {

inline constexpr std::string_view demoTckn = "10000000146";    // subject serialNumber
inline constexpr std::string_view demoSerial = "123456789012"; // GET DATA card serial
// The signing certificate's subject CN (UTF-8), for tests that check names survive intact.
inline constexpr std::string_view demoHolderName = "Ayşegül İpekçioğlu Işıkgör";

ByteView demoCaCertificate();         // self-signed test CA "TEST NES SIL S1" (DER)
ByteView demoSigningCertificate();    // ~2 KB, keyUsage nonRepudiation, RSA 2048 (DER)
ByteView demoSigningKey();            // the signing certificate's key, PKCS#8 DER
ByteView demoEncryptionCertificate(); // keyEncipherment, RSA 2048 (DER)

// A card holding the demo certificates and key, serial 123456789012, PIN 123456.
CardSetup demoCardSetup(CardProtocol protocol = CardProtocol::T1);

// The PIN state a demo card starts in: factory fresh, the setup's PIN, or blocked.
enum class DemoPinState { NotSet, Set, Blocked };
// A card from `setup` in `state`; Blocked the way a holder blocks it, by wrong VERIFYs until
// the card refuses (so the try counter and status words are the card's own).
std::shared_ptr<VirtualCard> demoCard(CardSetup setup, DemoPinState state);

} // namespace kamusm::sim
