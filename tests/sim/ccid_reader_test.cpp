// ccid::Reader against every sim::VirtualReader model with the demo AKIS card, T=1 and T=0:
// connect, read the serial with GET DATA through iso7816::transmit, and the faults the
// simulator can inject. (In the sim suite because only it links both ccid and sim.)
#include "kamusm/ccid/reader.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kamusm;

namespace {

const iso7816::CommandApdu getSerial{0x00, 0xCA, 0x01, 0x06, {}, 0x4D};

// card-profile.md: 77 bytes, the serial in ASCII from offset 55.
std::string serialText(const iso7816::ResponseApdu& response) {
    if (response.data.size() != 77) return "(" + std::to_string(response.data.size()) + " bytes)";
    return std::string(response.data.begin() + 55, response.data.begin() + 67);
}

struct Rig {
    std::shared_ptr<sim::VirtualCard> card;
    sim::VirtualReader device;
    std::unique_ptr<ccid::Reader> reader;
    Rig(sim::ReaderModel model, sim::CardProtocol protocol)
        : card(std::make_shared<sim::VirtualCard>(sim::demoCardSetup(protocol))),
          device(model, {card}), reader(runSync(ccid::Reader::open(device))) {}
};

template <typename F> ccid::ErrorCode ccidError(F&& f) {
    try {
        f();
    } catch (const ccid::Error& error) {
        return error.code();
    }
    FAIL("no ccid::Error thrown");
    return ccid::ErrorCode::NotCcid;
}

} // namespace

TEST_CASE("every reader model: connect and read the serial, T=1 and T=0 cards") {
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        for (sim::CardProtocol protocol : {sim::CardProtocol::T1, sim::CardProtocol::T0}) {
            CAPTURE(model.id);
            CAPTURE(protocol == sim::CardProtocol::T1 ? "T=1" : "T=0");
            Rig rig(model.model, protocol);
            const auto session = runSync(rig.reader->connect(0));
            CHECK(session->protocol() == (protocol == sim::CardProtocol::T1 ? 1 : 0));
            const iso7816::ResponseApdu response = runSync(iso7816::transmit(*session, getSerial));
            CHECK(response.sw() == 0x9000);
            CHECK(serialText(response) == sim::demoSerial);
            CHECK(rig.device.lineStatistics().fidi == session->fidi());
            runSync(session->powerOff());
        }
    }
}

TEST_CASE("ACR39U with the AKIS T=1 card: TA1 96 and IFSD 247") {
    Rig rig(sim::ReaderModel::Acr39u, sim::CardProtocol::T1);
    const auto session = runSync(rig.reader->connect(0));
    CHECK(session->fidi() == 0x96);
    CHECK(session->ifsd() == 247);
    CHECK(rig.device.lineStatistics().fidi == 0x96);
}

TEST_CASE("the simulator's faults surface as typed errors or are recovered from") {
    Rig rig(sim::ReaderModel::Acr39u, sim::CardProtocol::T1);
    const auto session = runSync(rig.reader->connect(0));
    const auto readSerial = [&] { return runSync(iso7816::transmit(*session, getSerial)); };

    rig.device.faults().staleFrames = 2;
    CHECK(serialText(readSerial()) == sim::demoSerial);
    rig.device.faults().timeExtensions = 2;
    CHECK(serialText(readSerial()) == sim::demoSerial);
    rig.device.faults().timeExtensions = 0;
    rig.device.faults().corruptT1Blocks = 1;
    CHECK(serialText(readSerial()) == sim::demoSerial);
    rig.device.faults().cardWtxRequests = 1;
    CHECK(serialText(readSerial()) == sim::demoSerial);

    rig.device.faults().silent = true;
    CHECK(ccidError(readSerial) == ccid::ErrorCode::Timeout);
    rig.device.faults().silent = false;

    rig.device.faults().garbageReplies = 1;
    CHECK(ccidError(readSerial) == ccid::ErrorCode::MalformedMessage);
    rig.device.faults().truncatedReplies = 1;
    CHECK(ccidError(readSerial) == ccid::ErrorCode::MalformedMessage);

    rig.device.faults().cardRemoved = true;
    CHECK(ccidError([&] { runSync(rig.reader->connect(0)); }) == ccid::ErrorCode::CardAbsent);
}

TEST_CASE("a mute card is CardMute after every voltage; stall and unplug") {
    Rig rig(sim::ReaderModel::Acr39u, sim::CardProtocol::T1);
    rig.device.faults().muteCard = true;
    CHECK(ccidError([&] { runSync(rig.reader->connect(0)); }) == ccid::ErrorCode::CardMute);
    rig.device.faults().muteCard = false;

    rig.device.faults().stall = true;
    CHECK(ccidError([&] { runSync(rig.reader->slotStatus(0)); }) == ccid::ErrorCode::HardwareError);
    rig.device.faults().stall = false;

    rig.device.faults().disconnected = true;
    try {
        runSync(rig.reader->connect(0));
        FAIL("connected to an unplugged reader");
    } catch (const usb::Error& error) {
        CHECK(error.code() == usb::ErrorCode::Disconnected);
    }
}

TEST_CASE("slot changes from the simulator's interrupt endpoint") {
    Rig rig(sim::ReaderModel::TwoSlot, sim::CardProtocol::T1);
    rig.device.insertCard(1, std::make_shared<sim::VirtualCard>(sim::demoCardSetup()));
    std::vector<ccid::SlotEvent> events =
        runSync(rig.reader->pollSlotChanges(usb::Milliseconds(100)));
    REQUIRE(events.size() == 2);
    CHECK(events[1].cardPresent);
    CHECK(events[1].changed);
    const auto session = runSync(rig.reader->connect(1));
    CHECK(serialText(runSync(iso7816::transmit(*session, getSerial))) == sim::demoSerial);
}
