// Our CCID stack as a transport, over the simulator's readers: slots named as pcsc-lite names
// them, cards connected and reset, cards and readers coming and going.
#include "kamusm/card/akis.hpp"
#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::reader;

namespace {

struct Rig {
    std::vector<Event> events;
    Owner owner{[this](const Event& event) { events.push_back(event); }};
    CcidTransport* transport = nullptr;

    Rig() {
        auto ccid = std::make_unique<CcidTransport>(TransportKind::Sim);
        transport = ccid.get();
        runSync(owner.use(std::move(ccid)));
    }
    ~Rig() { runSync(owner.close()); }

    sim::VirtualReader& add(sim::ReaderModel model,
                            std::vector<std::shared_ptr<sim::VirtualCard>> cards) {
        auto reader = std::make_unique<sim::VirtualReader>(model, std::move(cards));
        sim::VirtualReader& kept = *reader;
        transport->addDevice(std::move(reader));
        return kept;
    }
};

std::shared_ptr<sim::VirtualCard> akis() {
    return sim::demoCard(sim::demoCardSetup(), sim::DemoPinState::Set);
}

} // namespace

TEST_CASE("each slot of each reader is a slot of the transport, with its card") {
    Rig rig;
    rig.add(sim::ReaderModel::Acr39u, {akis()});
    rig.add(sim::ReaderModel::TwoSlot, {nullptr, akis()});
    runSync(rig.owner.refresh());
    const std::vector<Slot>& slots = rig.owner.slots();
    REQUIRE(slots.size() == 3);
    CHECK(slots[0].name.ends_with(" 00 00"));
    CHECK(slots[0].cardPresent);
    CHECK(slots[1].name.ends_with(" 01 00"));
    CHECK_FALSE(slots[1].cardPresent);
    CHECK(slots[2].name.ends_with(" 01 01"));
    CHECK(slots[2].cardPresent);
}

TEST_CASE("a connected card answers the card profile and is powered off when released") {
    Rig rig;
    auto card = akis();
    rig.add(sim::ReaderModel::Acr39u, {card});
    runSync(rig.owner.refresh());
    const std::string slot = rig.owner.slots().at(0).name;
    auto connected = runSync(rig.owner.connect(slot));
    CHECK(card::isAkisCard(connected->atr()));
    card::AkisCard akisCard(*connected);
    CHECK_FALSE(runSync(akisCard.readSerial()).empty());
    runSync(akisCard.verifyPin(card::Pin("123456")));
    REQUIRE(card->pinVerified());
    runSync(rig.owner.release(slot));
    CHECK_FALSE(card->pinVerified()); // the power cycle reset the card
}

TEST_CASE("the interrupt endpoint tells a card taken out and put back") {
    Rig rig;
    sim::VirtualReader& reader = rig.add(sim::ReaderModel::Acr39u, {akis()});
    runSync(rig.owner.refresh());
    const std::string slot = rig.owner.slots().at(0).name;
    auto connected = runSync(rig.owner.connect(slot));
    rig.events.clear();
    reader.removeCard(0);
    runSync(rig.transport->waitForChange());
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::CardRemoved, slot}});
    CHECK_THROWS_AS(runSync(connected->transmitRaw({0x00, 0xCA, 0x01, 0x06, {}, 0})),
                    reader::Error);
    rig.events.clear();
    reader.insertCard(0, akis());
    runSync(rig.transport->waitForChange());
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::CardInserted, slot}});
}

TEST_CASE("a reader unplugged leaves the list; with its card connected that is ReaderLost") {
    Rig rig;
    sim::VirtualReader& reader = rig.add(sim::ReaderModel::Connect2Sign, {akis()});
    runSync(rig.owner.refresh());
    const std::string slot = rig.owner.slots().at(0).name;
    auto connected = runSync(rig.owner.connect(slot));
    rig.events.clear();
    rig.transport->removeDevice(reader);
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::ReaderLost, slot}});
    CHECK(rig.owner.slots().empty());
}

TEST_CASE("a reader that cannot be opened is refused with the stack's error") {
    Rig rig;
    sim::VirtualReader& reader = rig.add(sim::ReaderModel::Acr39u, {akis()});
    reader.faults().disconnected = true;
    CHECK_THROWS_AS(runSync(rig.owner.refresh()), usb::Error);
    CHECK(rig.transport->deviceCount() == 0);
}
