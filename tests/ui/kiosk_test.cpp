// The kiosk's screens (AppOptions::kiosk): large type and the on-screen keypad from the start,
// "Baştan başla" on every screen in place of Cancel and Start over, and pressing it wipes what
// was typed and ends the session.
#include "app_rig.hpp"

using namespace kamusm;
using namespace kamusm::ui;
using namespace kamusm::ui::test;

namespace {

Rig kioskRig(backend::Operation operation) {
    return Rig(operation, sim::demoCardSetup(), {true, true, false}, AppOptions{true});
}

void checkStartOverOnly(const Screen& screen) {
    CAPTURE(screen.stepId);
    CHECK(hasButton(screen, Action::StartOver));
    CHECK(buttonOf(screen, Action::StartOver).label == "Baştan başla");
    CHECK_FALSE(hasButton(screen, Action::Cancel));
    CHECK_FALSE(hasButton(screen, Action::Restart));
}

} // namespace

TEST_CASE("kiosk: large type, and \"Baştan başla\" on every screen of a whole operation") {
    Rig rig = kioskRig(backend::Operation::Create);
    CHECK(rig.app.largeText());
    checkStartOverOnly(rig.app.screen());
    rig.toReader();
    checkStartOverOnly(rig.app.screen());
    rig.press(Action::ChooseReader);
    checkStartOverOnly(rig.app.screen());
    rig.press(Action::ConfirmCard);
    REQUIRE(rig.app.stepId() == "new_pin");
    const Screen pin = rig.app.screen();
    checkStartOverOnly(pin);
    CHECK(pin.keypad.size() == 11); // open from the start: ten digits and erase
    for (int digit : {5, 8, 2, 0, 3, 9})
        rig.press(Action::KeypadDigit, digit);
    rig.app.activateField(FieldId::RepeatPin);
    for (int digit : {5, 8, 2, 0, 3, 9})
        rig.press(Action::KeypadDigit, digit);
    rig.press(Action::SubmitPin);
    REQUIRE(rig.app.stepId() == "confirm");
    checkStartOverOnly(rig.app.screen());
    rig.app.setField(FieldId::Confirmation, rig.server.smsCode);
    rig.press(Action::SubmitConfirmation);
    REQUIRE(rig.app.stepId() == "done");
    checkStartOverOnly(rig.app.screen());
    rig.press(Action::StartOver);
    CHECK(rig.app.stepId() == "code");
    CHECK(rig.state().holderName.empty());
}

TEST_CASE("kiosk: \"Baştan başla\" mid-way wipes the typed PIN and ends the session") {
    Rig rig = kioskRig(backend::Operation::Create);
    rig.toNewPin();
    for (int digit : {1, 3, 5, 7})
        rig.press(Action::KeypadDigit, digit);
    REQUIRE(fieldOf(rig.app.screen(), FieldId::NewPin).length == 4);
    rig.press(Action::StartOver);
    CHECK(rig.app.stepId() == "code");
    CHECK_FALSE(rig.state().card);
    CHECK(rig.state().holderName.empty());
    REQUIRE(rig.server.outcomes.size() == 1);
    CHECK(rig.server.outcomes.front().result == "cancelled");
}

TEST_CASE("outside kiosks: normal type, the keypad on request, Cancel and Start over") {
    Rig rig(backend::Operation::Create);
    CHECK_FALSE(rig.app.largeText());
    CHECK_FALSE(hasButton(rig.app.screen(), Action::StartOver));
    rig.toNewPin();
    CHECK(rig.app.screen().keypad.empty());
    CHECK(hasButton(rig.app.screen(), Action::Cancel));
}
