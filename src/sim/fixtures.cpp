#include "kamusm/sim/fixtures.hpp"

namespace kamusm::sim {

CardSetup demoCardSetup(CardProtocol protocol) {
    CardSetup setup;
    setup.protocol = protocol;
    setup.serial = std::string(demoSerial);
    const auto copy = [](ByteView bytes) { return Bytes(bytes.begin(), bytes.end()); };
    setup.signingCertificate = copy(demoSigningCertificate());
    setup.encryptionCertificate = copy(demoEncryptionCertificate());
    setup.signingKey = copy(demoSigningKey());
    return setup;
}

} // namespace kamusm::sim
