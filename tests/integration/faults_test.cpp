// Every injected fault ends in the right typed error, or is recovered where the protocol allows,
// and nothing waits forever: the simulator never blocks, so a hang would be an endless loop.
#include "integration/rig.hpp"

#include <doctest/doctest.h>

#include <functional>

using namespace kamusm;
using kamusm::testing::Rig;

namespace {

// A rig with the demo card, not yet connected.
Rig demoRig(sim::ReaderModel model = sim::ReaderModel::Acr39u,
            sim::CardProtocol protocol = sim::CardProtocol::T1) {
    return Rig(sim::demoCardSetup(protocol), model);
}

template <typename ErrorType, typename Code>
void expectError(const std::function<void()>& action, Code code) {
    try {
        action();
        FAIL("no error");
    } catch (const ErrorType& error) {
        CHECK_MESSAGE(error.code() == code, error.what());
    }
}

const sim::ReaderModel allModels[] = {sim::ReaderModel::Acr39u, sim::ReaderModel::Connect2Sign,
                                      sim::ReaderModel::ExtendedApdu, sim::ReaderModel::TwoSlot};

} // namespace

TEST_CASE("no card in the slot") {
    for (sim::ReaderModel model : allModels) {
        Rig rig = demoRig(model);
        rig.reader.faults().cardRemoved = true;
        expectError<ccid::Error>([&] { rig.connect(); }, ccid::ErrorCode::CardAbsent);
    }
}

TEST_CASE("card removed in the middle of a session") {
    for (sim::ReaderModel model : allModels) {
        for (auto protocol : {sim::CardProtocol::T1, sim::CardProtocol::T0}) {
            Rig rig = demoRig(model, protocol);
            rig.connect();
            rig.reader.faults().cardRemoved = true;
            expectError<ccid::Error>([&] { rig.serial(); }, ccid::ErrorCode::CardAbsent);
        }
    }
}

TEST_CASE("a mute card") {
    Rig rig = demoRig();
    rig.reader.faults().muteCard = true;
    expectError<ccid::Error>([&] { rig.connect(); }, ccid::ErrorCode::CardMute);
}

TEST_CASE("a parity error is reported as such") {
    Rig rig = demoRig(sim::ReaderModel::Connect2Sign);
    rig.connect();
    rig.reader.faults().parityErrors = 1;
    expectError<ccid::Error>([&] { rig.serial(); }, ccid::ErrorCode::ParityError);
    CHECK(rig.serial() == sim::demoSerial); // the next exchange works again
}

TEST_CASE("faults the protocols recover from") {
    const std::pair<const char*, std::function<void(sim::Faults&)>> recoverable[] = {
        {"one corrupted T=1 block", [](sim::Faults& f) { f.corruptT1Blocks = 1; }},
        {"two corrupted T=1 blocks", [](sim::Faults& f) { f.corruptT1Blocks = 2; }},
        {"stale frames", [](sim::Faults& f) { f.staleFrames = 2; }},
        {"duplicated frames", [](sim::Faults& f) { f.duplicateFrames = 2; }},
        {"time extensions", [](sim::Faults& f) { f.timeExtensions = 3; }},
        {"card WTX requests", [](sim::Faults& f) { f.cardWtxRequests = 2; }},
    };
    for (const auto& fault : recoverable) {
        CAPTURE(fault.first);
        const auto& inject = fault.second;
        Rig rig = demoRig();
        rig.connect();
        inject(rig.reader.faults());
        CHECK(rig.serial() == sim::demoSerial);
        CHECK(rig.serial() == sim::demoSerial);
    }
}

TEST_CASE("persistently corrupted T=1 blocks end in a protocol error") {
    Rig rig = demoRig();
    rig.connect();
    rig.reader.faults().corruptT1Blocks = 1000;
    expectError<ccid::Error>([&] { rig.serial(); }, ccid::ErrorCode::ProtocolError);
}

TEST_CASE("truncated and garbage replies are malformed messages") {
    for (auto fault : {&sim::Faults::truncatedReplies, &sim::Faults::garbageReplies}) {
        Rig rig = demoRig();
        rig.connect();
        rig.reader.faults().*fault = 1;
        expectError<ccid::Error>([&] { rig.serial(); }, ccid::ErrorCode::MalformedMessage);
    }
}

TEST_CASE("USB stall, disconnect and a silent reader") {
    {
        Rig rig = demoRig();
        rig.connect();
        rig.reader.faults().stall = true;
        CHECK_THROWS_AS(rig.serial(), kamusm::Error);
    }
    {
        Rig rig = demoRig();
        rig.connect();
        rig.reader.faults().disconnected = true;
        expectError<usb::Error>([&] { rig.serial(); }, usb::ErrorCode::Disconnected);
    }
    {
        Rig rig = demoRig();
        rig.connect();
        rig.reader.faults().silent = true;
        expectError<ccid::Error>([&] { rig.serial(); }, ccid::ErrorCode::Timeout);
    }
}

TEST_CASE("slot-change events from the interrupt endpoint") {
    Rig rig = demoRig();
    CHECK(runSync(rig.host->pollSlotChanges(usb::Milliseconds(10))).empty());
    rig.reader.removeCard(0);
    auto events = runSync(rig.host->pollSlotChanges(usb::Milliseconds(10)));
    REQUIRE(events.size() == 1);
    CHECK(events[0].slot == 0);
    CHECK_FALSE(events[0].cardPresent);
    CHECK(events[0].changed);
    rig.reader.insertCard(0, rig.card);
    events = runSync(rig.host->pollSlotChanges(usb::Milliseconds(10)));
    REQUIRE(events.size() == 1);
    CHECK(events[0].cardPresent);
    rig.connect();
    CHECK(rig.serial() == sim::demoSerial);
}

// Found by the fault campaign: a stall on the power-off left the card powered with its PIN
// verified, for whoever took the reader next.
TEST_CASE("a power-off lost to a stall is sent again: no verified PIN stays on the card") {
    for (sim::ReaderModel model : allModels) {
        Rig rig = demoRig(model);
        rig.connect();
        card::AkisCard akis(*rig.session);
        runSync(akis.verifyPin(card::Pin("123456")));
        REQUIRE(rig.card->pinVerified());
        rig.reader.faults().stall = true;
        runSync(rig.session->powerOff());
        CHECK_FALSE(rig.card->pinVerified());
    }
}
