// A virtual card in a virtual reader, with the host stack opened on it: what every integration
// case starts from.
#pragma once

#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <memory>

namespace kamusm::testing {

struct Rig {
    std::shared_ptr<sim::VirtualCard> card;
    sim::VirtualReader reader;
    std::unique_ptr<ccid::Reader> host;
    std::unique_ptr<ccid::CardSession> session;
    std::uint8_t slot;

    // The card sits in `slot` (the slots before it are empty).
    explicit Rig(sim::CardSetup setup, sim::ReaderModel model = sim::ReaderModel::Acr39u,
                 std::uint8_t cardSlot = 0)
        : card(std::make_shared<sim::VirtualCard>(std::move(setup))),
          reader(model, slots(card, cardSlot)), slot(cardSlot) {
        host = runSync(ccid::Reader::open(reader));
    }

    ccid::CardSession& connect() {
        session = runSync(host->connect(slot));
        return *session;
    }
    std::string serial() {
        card::AkisCard akis(*session);
        return runSync(akis.readSerial());
    }

private:
    static std::vector<std::shared_ptr<sim::VirtualCard>>
    slots(std::shared_ptr<sim::VirtualCard> card, std::uint8_t slot) {
        std::vector<std::shared_ptr<sim::VirtualCard>> cards(slot + 1u);
        cards[slot] = std::move(card);
        return cards;
    }
};

} // namespace kamusm::testing
