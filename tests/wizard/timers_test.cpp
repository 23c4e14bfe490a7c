// The wizard's clocks: session expiry, the idle warning and reset (WCAG 2.2.1).
#include "wizard/wizard_harness.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

TEST_CASE("the session counts down and ends in Failed when it runs out") {
    Harness h(Operation::Unblock);
    h.server.sessionLifetime = 300;
    h.runToNewPin();
    h.clock.advanceSeconds(100);
    h.wizard.tick();
    CHECK(h.wizard.state().sessionSecondsLeft == 200);
    h.wizard.stillHere();
    h.clock.advanceSeconds(100);
    h.wizard.tick();
    h.wizard.stillHere();
    h.clock.advanceSeconds(100);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "expired_code");
    CHECK_FALSE(h.wizard.state().card);
    CHECK(h.wizard.state().holderName.empty());
    CHECK(h.card->pinState() == sim::PinState::Set);
    h.wizard.restart();
    CHECK(h.wizard.state().step == Step::Code);
    CHECK(h.wizard.errorCode() == "");
}

TEST_CASE("a code that expired on the page is refused by the server") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    h.server.codeExpired = true;
    runSync(h.wizard.submitCode(h.server.code));
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "expired_code");
    h.wizard.restart();
    CHECK(h.wizard.state().step == Step::Code);
}

TEST_CASE("idle: a warning first, then everything wiped") {
    Harness h(Operation::Change);
    h.runToNewPin();
    h.clock.advanceSeconds(89);
    h.wizard.tick();
    CHECK_FALSE(h.wizard.state().idleWarning);
    h.clock.advanceSeconds(1);
    h.wizard.tick();
    CHECK(h.wizard.state().idleWarning);
    CHECK(h.wizard.state().idleSecondsLeft == 30);

    // "I am still here" gives the full time again.
    h.wizard.stillHere();
    h.wizard.tick();
    CHECK_FALSE(h.wizard.state().idleWarning);
    h.clock.advanceSeconds(119);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::NewPin);
    CHECK(h.wizard.state().idleSecondsLeft == 1);
    h.clock.advanceSeconds(1);
    h.wizard.tick();

    const WizardState& state = h.wizard.state();
    CHECK(state.step == Step::Code);
    CHECK(h.wizard.errorCode() == "idle_reset");
    CHECK_FALSE(state.card);
    CHECK_FALSE(state.operation);
    CHECK(state.holderName.empty());
    CHECK_FALSE(state.needsCurrentPin);
    CHECK_FALSE(state.sessionSecondsLeft);
    CHECK_FALSE(state.idleWarning);
    // Nothing of the old session is used again: the next code starts afresh.
    h.server.issueCode("543215432154321");
    runSync(h.wizard.submitCode(h.server.code));
    CHECK(h.wizard.state().step == Step::Reader);
}

TEST_CASE("idle on the PIN entry wipes the typed PINs before the confirmation") {
    Harness h(Operation::Unblock);
    h.runToNewPin();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    REQUIRE(h.wizard.state().step == Step::Confirm);
    h.clock.advanceSeconds(120);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::Code);
    // A late confirmation belongs to no step any more and does nothing.
    runSync(h.wizard.submitConfirmation(h.server.smsCode));
    CHECK_FALSE(h.server.authorized);
    CHECK(h.card->pinState() == sim::PinState::Set);
}

TEST_CASE("an untouched start page is not reset") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    h.clock.advanceSeconds(600);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::Code);
    CHECK(h.wizard.errorCode() == "");
}
