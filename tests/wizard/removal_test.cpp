// The card taken out at every moment of the flow: back to the reader step, the card either as it
// was or with the new PIN fully set, and the outcome in the audit log when card work had started.
#include "kamusm/sim/pcsc.hpp"
#include "wizard/wizard_harness.hpp"

#include "kamusm/reader/pcsc_transport.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

constexpr sim::ReaderModel models[] = {sim::ReaderModel::Acr39u, sim::ReaderModel::Connect2Sign};

// RESET RETRY COUNTER with the new PIN (card-profile.md): 00 2C 02 81.
bool carriesResetRetryCounter(ByteView data) {
    const Bytes command = {0x00, 0x2C, 0x02, 0x81};
    return std::search(data.begin(), data.end(), command.begin(), command.end()) != data.end();
}

// Passes everything to the virtual reader and lets a test act on each bulk OUT before (or
// after) the reader sees it.
class TapDevice : public ForwardingDevice {
public:
    using ForwardingDevice::ForwardingDevice;

    std::function<void(ByteView)> beforeOut, afterOut;

    Task<void> transferOut(std::uint8_t endpoint, ByteView data,
                           usb::Milliseconds timeout) override {
        if (beforeOut) beforeOut(data);
        co_await target_.transferOut(endpoint, data, timeout);
        if (afterOut) afterOut(data);
    }
};

// Unblock up to the confirmation, with the PIN blocked first.
void confirmUnblock(Harness& h, usb::Device& device) {
    blockPin(h.reader);
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    h.plug(device);
    runSync(h.wizard.findCard());
    REQUIRE(h.wizard.state().step == Step::Card);
    h.wizard.cardConfirmed();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    REQUIRE(h.wizard.state().step == Step::Confirm);
}

void checkBackAtReader(Harness& h, const char* detail) {
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "card_removed");
    CHECK_FALSE(h.wizard.state().card);
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "card_removed");
    CHECK(h.server.outcomes[0].detail == detail);
    CHECK(h.card->pukCommandsSeen() == 0);
}

// The card back in: the wizard shows it as it is, and a new code finishes the job.
void reinsertAndFinish(Harness& h, card::PinState expected) {
    h.reader.faults().cardRemoved = false;
    h.plug(h.reader); // without the tap
    runSync(h.wizard.findCard());
    REQUIRE(h.wizard.state().step == Step::Code);
    CHECK(h.wizard.errorCode() == "new_code_needed");
    REQUIRE(h.wizard.state().card);
    CHECK(h.wizard.state().card->pinState == expected);
    CHECK(h.wizard.state().interruption); // still told at the code entry
    h.server.issueCode("543215432154321");
    runSync(h.wizard.submitCode(h.server.code));
    CHECK_FALSE(h.wizard.state().interruption);
    REQUIRE(h.wizard.state().step == Step::Card);
    h.wizard.cardConfirmed();
    h.finishWith("97531864");
    CHECK(h.wizard.state().step == Step::Done);
    CHECK(pinVerifies(h.reader, "97531864"));
}

} // namespace

TEST_CASE("card removed before the card work: back to the reader, the session goes on") {
    Harness h(Operation::Unblock);
    h.runToNewPin();
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.cardRemoved());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "card_removed");
    CHECK_FALSE(h.wizard.state().card);
    CHECK(h.server.outcomes.empty());
    h.reader.faults().cardRemoved = false;
    runSync(h.wizard.findCard());
    REQUIRE(h.wizard.state().step == Step::Card);
    h.wizard.cardConfirmed();
    h.finishWith("24681357");
    CHECK(h.wizard.state().step == Step::Done);
    CHECK(pinVerifies(h.reader, "24681357"));
}

TEST_CASE("card removed while the authorization is fetched: the PIN stays blocked") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Unblock, sim::demoCardSetup(), model);
        confirmUnblock(h, h.reader);
        h.server.onAuthorize = [&] { h.reader.faults().cardRemoved = true; };
        runSync(h.wizard.submitConfirmation(h.server.smsCode));
        checkBackAtReader(h, "authorization_requested");
        CHECK(h.wizard.state().interruption == Interruption::PinUnchanged);
        CHECK(h.card->pinState() == sim::PinState::Blocked);
        h.server.onAuthorize = nullptr;
        reinsertAndFinish(h, card::PinState::Blocked);
    }
}

TEST_CASE("card removed as RESET RETRY COUNTER goes out: the PIN stays blocked") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Unblock, sim::demoCardSetup(), model);
        TapDevice tap(h.reader);
        confirmUnblock(h, tap);
        tap.beforeOut = [&](ByteView data) {
            if (carriesResetRetryCounter(data)) h.reader.faults().cardRemoved = true;
        };
        runSync(h.wizard.submitConfirmation(h.server.smsCode));
        checkBackAtReader(h, "authorization_requested");
        // The PIN command went out: only the card can tell whether it took it.
        CHECK(h.wizard.state().interruption == Interruption::PinMaybeSet);
        CHECK(h.card->pinState() == sim::PinState::Blocked);
        reinsertAndFinish(h, card::PinState::Blocked);
    }
}

TEST_CASE("card removed right after RESET RETRY COUNTER: the new PIN is fully set") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Unblock, sim::demoCardSetup(), model);
        TapDevice tap(h.reader);
        confirmUnblock(h, tap);
        bool resetSent = false;
        tap.beforeOut = [&](ByteView) {
            if (resetSent) h.reader.faults().cardRemoved = true;
        };
        tap.afterOut = [&](ByteView data) {
            resetSent = resetSent || carriesResetRetryCounter(data);
        };
        runSync(h.wizard.submitConfirmation(h.server.smsCode));
        REQUIRE(resetSent);
        checkBackAtReader(h, "pin_set");
        CHECK(h.wizard.state().interruption == Interruption::PinSet);
        CHECK(h.card->pinState() == sim::PinState::Set);
        h.reader.faults().cardRemoved = false;
        CHECK(pinVerifies(h.reader, "24681357"));
        reinsertAndFinish(h, card::PinState::Set);
    }
}

TEST_CASE("reader unplugged during the card work") {
    Harness h(Operation::Unblock);
    confirmUnblock(h, h.reader);
    h.server.onAuthorize = [&] { h.reader.faults().disconnected = true; };
    runSync(h.wizard.submitConfirmation(h.server.smsCode));
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "reader_unplugged");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "card_removed");
    CHECK(h.card->pinState() == sim::PinState::Blocked);
}

TEST_CASE("taking the card out after Done changes nothing") {
    Harness h(Operation::Change);
    h.runToNewPin();
    h.finishWith("24681357", "123456");
    REQUIRE(h.wizard.state().step == Step::Done);
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.cardRemoved());
    CHECK(h.wizard.state().step == Step::Done);
    CHECK(h.server.outcomes.size() == 1);
}

TEST_CASE("the reader unplugged on the PIN entry: back to the reader step") {
    Harness h(Operation::Change);
    h.runToNewPin();
    h.reader.faults().disconnected = true;
    runSync(h.wizard.readerUnplugged());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "reader_unplugged");
    CHECK_FALSE(h.wizard.state().card);
    CHECK(h.server.outcomes.empty());
    h.reader.faults().disconnected = false;
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Card);
}

TEST_CASE("the PC/SC service stopping under the watch is told as such, not as an unplugged "
          "reader") {
    Harness h(Operation::Change);
    auto world = std::make_shared<sim::PcscWorld>();
    world->readers.push_back(sim::emptyPcscReader("Virtual PCD 00 00"));
    world->insert("Virtual PCD 00 00", h.card);
    runSync(h.owner.use(std::make_unique<reader::PcscTransport>(
        std::make_unique<sim::PcscContext>(world), reader::TransportKind::Helper)));
    h.runToNewPin();
    const std::string slot = h.wizard.state().card->slot;
    // The watch finds nothing changed and waits; meanwhile the service (or the helper) stops.
    world->whileWaiting = [&] { world->serviceRunning = false; };
    h.owner.watch();
    REQUIRE(h.owner.watchFailure());
    runSync(h.wizard.readerEvent({reader::EventKind::ReaderLost, slot}));
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "pcsc_unavailable");
    CHECK_FALSE(h.wizard.state().card);
}
