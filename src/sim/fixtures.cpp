#include "kamusm/sim/fixtures.hpp"

#include <stdexcept>

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

std::shared_ptr<VirtualCard> demoCard(CardSetup setup, DemoPinState state) {
    if (state == DemoPinState::NotSet) setup.pin.reset();
    const std::string wrong = setup.pin == "000000" ? "111111" : "000000";
    const int tries = setup.pinTries;
    auto card = std::make_shared<VirtualCard>(std::move(setup));
    if (state != DemoPinState::Blocked) return card;
    const iso7816::CommandApdu wrongPin{0x00, 0x20, 0x00, 0x81, Bytes(wrong.begin(), wrong.end()),
                                        {}};
    for (int i = 0; i < tries && card->pinState() != PinState::Blocked; ++i)
        card->process(wrongPin);
    if (card->pinState() != PinState::Blocked)
        throw std::invalid_argument("the demo card's PIN could not be blocked");
    return card;
}

} // namespace kamusm::sim
