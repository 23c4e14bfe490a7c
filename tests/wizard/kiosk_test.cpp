// Kiosk behaviour of the wizard (WizardOptions::endOnRemoval, finishedResetSeconds): the card
// taken out ends the session with everything wiped, and a finished operation goes back to the
// start once its warnings had their time, so the next person finds nothing of the last one.
#include "wizard/wizard_harness.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

WizardOptions kiosk() {
    WizardOptions options;
    options.endOnRemoval = true;
    options.finishedResetSeconds = 60;
    return options;
}

void checkNothingLeft(const Harness& h) {
    const WizardState& state = h.wizard.state();
    CHECK(state.step == Step::Code);
    CHECK_FALSE(state.card);
    CHECK(state.cardChoices.empty());
    CHECK(state.holderName.empty());
    CHECK_FALSE(state.operation);
    CHECK_FALSE(state.sessionSecondsLeft.has_value());
}

} // namespace

TEST_CASE("kiosk: the card taken out ends the session and wipes everything") {
    Harness h(Operation::Create, sim::demoCardSetup(), sim::ReaderModel::Acr39u, kiosk());
    h.runToNewPin();
    REQUIRE_FALSE(h.wizard.state().holderName.empty());
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.cardRemoved());
    checkNothingLeft(h);
    CHECK(h.wizard.errorCode() == "card_removed");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes.front().result == "cancelled");
}

TEST_CASE("kiosk: Done goes back to the start after a minute, not before") {
    Harness h(Operation::Create, sim::demoCardSetup(), sim::ReaderModel::Acr39u, kiosk());
    h.runToNewPin();
    h.finishWith("24681357");
    REQUIRE(h.wizard.state().step == Step::Done);
    h.clock.advanceSeconds(59);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::Done);
    h.clock.advanceSeconds(1);
    h.wizard.tick();
    checkNothingLeft(h);
    CHECK(h.wizard.errorCode() == "");
}

TEST_CASE("outside kiosks the card taken out keeps the session and Done stays") {
    Harness h(Operation::Create);
    h.runToNewPin();
    h.reader.faults().cardRemoved = true;
    runSync(h.wizard.cardRemoved());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK_FALSE(h.wizard.state().holderName.empty());
    h.reader.faults().cardRemoved = false;
    runSync(h.wizard.findCard());
    h.wizard.cardConfirmed();
    h.finishWith("24681357");
    REQUIRE(h.wizard.state().step == Step::Done);
    h.clock.advanceSeconds(61);
    h.wizard.tick();
    CHECK(h.wizard.state().step == Step::Done);
}
