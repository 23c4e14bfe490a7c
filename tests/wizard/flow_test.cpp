// The wizard's operations end to end against the virtual reader and the in-memory backend.
#include "wizard/wizard_harness.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

constexpr sim::ReaderModel models[] = {sim::ReaderModel::Acr39u, sim::ReaderModel::Connect2Sign};

sim::CardSetup freshCard() {
    sim::CardSetup setup = sim::demoCardSetup();
    setup.pin = std::nullopt;
    return setup;
}

void checkDone(Harness& h, const std::string& newPin) {
    const WizardState& state = h.wizard.state();
    CHECK(state.step == Step::Done);
    CHECK(h.wizard.errorCode() == "");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "success");
    CHECK(h.card->pinState() == sim::PinState::Set);
    CHECK(h.card->pukCommandsSeen() == 0);
    CHECK(pinVerifies(h.reader, newPin));
    CHECK(h.card->pinTriesLeft() == 3);
}

} // namespace

TEST_CASE("create: a fresh card gets its first PIN on each reader model") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Create, freshCard(), model);
        h.runToNewPin();
        const WizardState& state = h.wizard.state();
        REQUIRE(state.card);
        CHECK(state.card->pinState == card::PinState::NotSet);
        CHECK(state.card->serial == sim::demoSerial);
        CHECK(state.card->holderName == sim::demoHolderName);
        CHECK(state.card->tcknMasked == "100******46");
        CHECK_FALSE(state.needsCurrentPin);
        h.finishWith("24681357");
        checkDone(h, "24681357");
        CHECK(h.server.authorized);
        CHECK(h.server.smsSent == 1);
    }
}

TEST_CASE("unblock: a PIN blocked by three wrong entries is replaced on each reader model") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Unblock, sim::demoCardSetup(), model);
        blockPin(h.reader);
        h.runToNewPin();
        CHECK(h.wizard.state().card->pinState == card::PinState::Blocked);
        h.finishWith("975318");
        checkDone(h, "975318");
    }
}

TEST_CASE("change: the current PIN is replaced without any authorization") {
    for (sim::ReaderModel model : models) {
        Harness h(Operation::Change, sim::demoCardSetup(), model);
        h.runToNewPin();
        CHECK(h.wizard.state().needsCurrentPin);
        CHECK(h.wizard.state().card->pinTriesLeft == 3);
        h.finishWith("24681357", "123456");
        checkDone(h, "24681357");
        CHECK_FALSE(h.server.authorized);
    }
}

TEST_CASE("the web password confirms as well as the SMS code") {
    Harness h(Operation::Unblock);
    h.server.confirmation = backend::Confirmation::Password;
    h.runToNewPin();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    REQUIRE(h.wizard.state().step == Step::Confirm);
    CHECK(h.server.smsSent == 0);
    runSync(h.wizard.submitConfirmation("wrong"));
    CHECK(h.wizard.errorCode() == "wrong_password");
    CHECK(h.wizard.state().triesLeft == 2);
    runSync(h.wizard.submitConfirmation("demo-parola"));
    checkDone(h, "24681357");
}

TEST_CASE("three wrong SMS codes lock the session") {
    Harness h(Operation::Unblock);
    h.runToNewPin();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    runSync(h.wizard.submitConfirmation("000000"));
    CHECK(h.wizard.state().step == Step::Confirm);
    CHECK(h.wizard.errorCode() == "wrong_otp");
    CHECK(h.wizard.state().triesLeft == 2);
    runSync(h.wizard.submitConfirmation("000001"));
    CHECK(h.wizard.state().triesLeft == 1);
    runSync(h.wizard.submitConfirmation("000002"));
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "otp_locked");
    CHECK_FALSE(h.server.authorized);
    CHECK(h.card->pinState() == sim::PinState::Set);
    CHECK(pinVerifies(h.reader, "123456"));
}

TEST_CASE("the SMS code can be sent again only after the wait") {
    Harness h(Operation::Unblock);
    h.runToNewPin();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    CHECK(h.wizard.state().smsSent);
    CHECK(h.wizard.state().smsSentTo == "*******12");
    CHECK(h.wizard.state().smsResendSeconds == 60);
    runSync(h.wizard.requestSms());
    CHECK(h.server.smsSent == 1);
    h.clock.advanceSeconds(61);
    h.wizard.tick();
    CHECK(h.wizard.state().smsResendSeconds == 0);
    runSync(h.wizard.requestSms());
    CHECK(h.server.smsSent == 2);
}

TEST_CASE("the code is checked locally, then by the server") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    for (const char* bad : {"", "12345", "1234512345123456", "12345123451234a"}) {
        runSync(h.wizard.submitCode(bad));
        CHECK(h.wizard.state().step == Step::Code);
        CHECK(h.wizard.errorCode() == "invalid_code");
    }
    CHECK(h.server.paths.empty());
    runSync(h.wizard.submitCode("999999999999999"));
    CHECK(h.wizard.errorCode() == "invalid_code");
    runSync(h.wizard.submitCode("12345 12345 12345"));
    CHECK(h.wizard.state().step == Step::Reader);
}

TEST_CASE("a code used before is refused") {
    Harness first(Operation::Unblock);
    first.wizard.environmentChecked({true, true});
    runSync(first.wizard.submitCode(first.server.code));
    REQUIRE(first.wizard.state().step == Step::Reader);
    runSync(first.wizard.cancel());
    CHECK(first.wizard.state().step == Step::Code);
    runSync(first.wizard.submitCode(first.server.code));
    CHECK(first.wizard.state().step == Step::Code);
    CHECK(first.wizard.errorCode() == "used_code");
}

TEST_CASE("the environment must offer WebUSB in a secure context") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, false});
    CHECK(h.wizard.state().step == Step::Environment);
    CHECK(h.wizard.errorCode() == "insecure_context");
    h.wizard.environmentChecked({false, true});
    CHECK(h.wizard.errorCode() == "no_webusb");
    h.wizard.environmentChecked({true, true});
    CHECK(h.wizard.state().step == Step::Code);
    CHECK(h.wizard.errorCode() == "");
}

TEST_CASE("a card of another holder is refused and another card can be tried") {
    Harness h(Operation::Unblock);
    h.server.holderTckn = "10000000078";
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "wrong_holder_card");
    CHECK_FALSE(h.wizard.state().card);
    h.server.holderTckn = std::string(sim::demoTckn);
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Card);
}

TEST_CASE("an empty reader and an unplugged reader") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    h.reader.removeCard(0);
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "no_card");
    h.reader.faults().disconnected = true;
    runSync(h.wizard.findCard());
    CHECK(h.wizard.errorCode() == "reader_unplugged");
}

TEST_CASE("new PINs that break the rules are refused with their reason") {
    Harness h(Operation::Change);
    h.runToNewPin();
    const std::tuple<const char*, const char*, const char*, PinProblem> cases[] = {
        {"123456", "24681357", "24681358", PinProblem::Mismatch},
        {"123456", "111111", "111111", PinProblem::AllSame},
        {"123456", "234567", "234567", PinProblem::StraightRun},
        {"123456", "2468", "2468", PinProblem::TooShort},
        {"12", "24681357", "24681357", PinProblem::TooShort},
    };
    for (const auto& [current, pin, repeat, problem] : cases) {
        runSync(h.wizard.submitNewPin(card::Pin(current), card::Pin(pin), card::Pin(repeat)));
        CHECK(h.wizard.state().step == Step::NewPin);
        CHECK(h.wizard.errorCode() == "pin_policy");
        CHECK(h.wizard.state().pinProblem == problem);
    }
    CHECK(h.server.smsSent == 0);
    CHECK(h.card->pinTriesLeft() == 3);
}

TEST_CASE("change: a wrong current PIN costs a try and asks again") {
    Harness h(Operation::Change);
    h.runToNewPin();
    h.finishWith("24681357", "654987");
    CHECK(h.wizard.state().step == Step::NewPin);
    CHECK(h.wizard.errorCode() == "wrong_current_pin");
    CHECK(h.wizard.state().triesLeft == 2);
    CHECK(h.server.outcomes.empty());
    // Confirmed already: the right PIN goes straight to the card.
    runSync(
        h.wizard.submitNewPin(card::Pin("123456"), card::Pin("24681357"), card::Pin("24681357")));
    checkDone(h, "24681357");
    CHECK(h.server.smsSent == 1);
}

TEST_CASE("change: a blocked PIN is sent to the unblock page") {
    Harness h(Operation::Change);
    blockPin(h.reader);
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "pin_blocked");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "wrong_state");
}

TEST_CASE("the self-test can be left out") {
    WizardOptions options;
    options.selfTest = false;
    Harness h(Operation::Unblock, sim::demoCardSetup(), sim::ReaderModel::Acr39u, options);
    h.runToNewPin();
    h.finishWith("24681357");
    checkDone(h, "24681357");
}

TEST_CASE("a two-slot reader: the AKIS card is found in whichever slot holds it") {
    auto akis = std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    Harness h(Operation::Change);
    sim::VirtualReader twoSlot(sim::ReaderModel::TwoSlot, {nullptr, akis});
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    h.plug(twoSlot);
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Card);
    CHECK(h.wizard.errorCode() == "");
}

TEST_CASE("change: the third wrong current PIN blocks it and ends the session") {
    Harness h(Operation::Change);
    h.runToNewPin();
    h.finishWith("24681357", "654987");
    for (int tries = 2; tries > 0; --tries) {
        CHECK(h.wizard.state().triesLeft == tries);
        runSync(h.wizard.submitNewPin(card::Pin("654987"), card::Pin("24681357"),
                                      card::Pin("24681357")));
    }
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "pin_blocked");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "wrong_state");
    CHECK(h.card->pinState() == sim::PinState::Blocked);
    CHECK(h.card->pukCommandsSeen() == 0);
}

TEST_CASE("two KamuSM cards: the holder picks one, the other is let go untouched") {
    Harness h(Operation::Change);
    auto other = std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    sim::VirtualReader second(sim::ReaderModel::Connect2Sign, {other});
    auto transport = std::make_unique<reader::CcidTransport>(reader::TransportKind::Sim);
    transport->addDevice(std::make_unique<ForwardingDevice>(h.reader));
    transport->addDevice(std::make_unique<ForwardingDevice>(second));
    runSync(h.owner.use(std::move(transport)));
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    runSync(h.wizard.findCard());
    REQUIRE(h.wizard.state().step == Step::Card);
    const auto& choices = h.wizard.state().cardChoices;
    REQUIRE(choices.size() == 2);
    CHECK(choices[0].slot != choices[1].slot);
    CHECK(choices[1].holderName == sim::demoHolderName);
    CHECK_FALSE(h.wizard.state().card);
    h.wizard.cardConfirmed(); // nothing chosen yet: ignored
    CHECK(h.wizard.state().step == Step::Card);

    const std::string picked = choices[1].slot;
    runSync(h.wizard.chooseCard(1));
    REQUIRE(h.wizard.state().card);
    CHECK(h.wizard.state().card->slot == picked);
    CHECK(h.wizard.state().cardChoices.empty());
    h.wizard.cardConfirmed();
    REQUIRE(h.wizard.state().step == Step::NewPin);
    h.finishWith("24681357", "123456");
    CHECK(h.wizard.state().step == Step::Done);
    CHECK(h.wizard.state().transport == reader::TransportKind::Sim);
    CHECK(other->pinTriesLeft() == 3);
    CHECK(pinVerifies(second, "24681357"));
    CHECK(pinVerifies(h.reader, "123456")); // the card not chosen kept its PIN
}

TEST_CASE("owner events: a card put in at the Reader step is read; the card in use going away "
          "waits for the server work, then sends the holder back") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.findCard());
    CHECK(h.wizard.errorCode() == "no_card");
    h.reader.faults().cardRemoved = false;
    runSync(h.wizard.readerEvent({reader::EventKind::CardInserted, "ignored"}));
    REQUIRE(h.wizard.state().step == Step::Card);
    const std::string slot = h.wizard.state().card->slot;
    runSync(h.wizard.readerEvent({reader::EventKind::CardRemoved, "another reader 00 00"}));
    CHECK(h.wizard.state().step == Step::Card);
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.readerEvent({reader::EventKind::CardRemoved, slot}));
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "card_removed");
    CHECK_FALSE(h.wizard.takePendingEvent());
}
