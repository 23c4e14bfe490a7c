// The verification code: passed by the page, typed or pasted, and its countdown.
#include "ui/app_rig.hpp"

using namespace kamusm;
using namespace kamusm::ui;
using namespace kamusm::ui::test;
using backend::Operation;

TEST_CASE("the app checks the environment at once and moves on to the code when it is fine") {
    Rig rig(Operation::Unblock);
    CHECK(rig.host.probes == 1);
    CHECK(rig.app.stepId() == "code");
    CHECK(rig.app.errorId() == std::nullopt);
}

TEST_CASE("an insecure page stays at the environment with the problem and Check again") {
    Rig rig(Operation::Unblock, sim::demoCardSetup(), {true, false});
    App& app = rig.app;
    FakeHost& host = rig.host;
    Screen screen = app.screen();
    CHECK(screen.stepId == "environment");
    CHECK(app.errorId() == "insecure_context");
    CHECK(screen.alert ==
          wizard::message(wizard::WizardError::InsecureContext, wizard::Language::Turkish));
    CHECK(buttonOf(screen, Action::CheckAgain).label == "Tekrar denetle");
    CHECK(buttonOf(screen, Action::CheckAgain).primary);

    host.environment = {true, true};
    app.press(Action::CheckAgain);
    CHECK(host.probes == 2);
    CHECK(app.stepId() == "code");
    CHECK(app.errorId() == std::nullopt);
}

TEST_CASE("the code the page passes fills the field and its validity counts down") {
    Rig rig(Operation::Unblock);
    rig.app.setVerificationCode(rig.server.code, 300);
    Screen screen = rig.app.screen();
    CHECK(fieldOf(screen, FieldId::Code).value == rig.server.code);
    CHECK_FALSE(fieldOf(screen, FieldId::Code).secret);
    CHECK(fieldOf(screen, FieldId::Code).maxLength == 15);
    CHECK(screen.timer == "Kalan süre: 5:00");

    rig.clock.advanceSeconds(55);
    rig.app.update();
    CHECK(rig.app.screen().timer == "Kalan süre: 4:05");
    rig.app.press(Action::SwitchLanguage);
    CHECK(rig.app.screen().timer == "Time left: 4:05");

    // After the session starts, the session's own countdown (the fake server gives 600 s).
    rig.press(Action::SubmitCode);
    REQUIRE(rig.app.stepId() == "reader");
    CHECK(rig.app.screen().timer == "Time left: 10:00");
    rig.clock.advanceSeconds(61);
    rig.app.update();
    CHECK(rig.app.screen().timer == "Time left: 8:59");
}

TEST_CASE("a code past its validity says so and asks for a new one") {
    Rig rig(Operation::Unblock);
    rig.app.setVerificationCode(rig.server.code, 10);
    rig.clock.advanceSeconds(11);
    rig.app.update();
    const Screen screen = rig.app.screen();
    CHECK(screen.timer.empty());
    CHECK(screen.status ==
          wizard::message(wizard::WizardError::ExpiredCode, wizard::Language::Turkish));
}

TEST_CASE("pasting asks the host, and only the digits of the answer go into the code field") {
    Rig rig(Operation::Unblock);
    rig.press(Action::PasteCode);
    CHECK(rig.host.pasteRequests == 1);
    rig.app.paste(" 12345 12345-12345 \n");
    const Field code = fieldOf(rig.app.screen(), FieldId::Code);
    CHECK(code.value == "123451234512345");
    CHECK(code.hint == "15 haneden 15 tanesi girildi.");
    rig.app.paste("12345 12345 12345 999"); // more than 15 digits: the first 15
    CHECK(fieldOf(rig.app.screen(), FieldId::Code).value == "123451234512345");
    rig.press(Action::SubmitCode);
    CHECK(rig.app.stepId() == "reader");
}

TEST_CASE("typed code text keeps digits; a wrong code is an alert at the code step") {
    Rig rig(Operation::Unblock);
    rig.app.setField(FieldId::Code, "12a34");
    CHECK(fieldOf(rig.app.screen(), FieldId::Code).value == "1234");
    CHECK(fieldOf(rig.app.screen(), FieldId::Code).hint == "15 haneden 4 tanesi girildi.");
    rig.press(Action::SubmitCode);
    CHECK(rig.app.stepId() == "code");
    CHECK(rig.app.errorId() == "invalid_code");
    CHECK(rig.app.screen().alert ==
          wizard::message(wizard::WizardError::InvalidCode, wizard::Language::Turkish));
    CHECK(fieldOf(rig.app.screen(), FieldId::Code).value == "1234"); // to be corrected
}

TEST_CASE("a paste outside the code step goes nowhere") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.paste("123456");
    for (const Field& field : rig.app.screen().fields)
        CHECK(field.length == 0);
}

TEST_CASE("the used code is gone when the flow comes back to the code step") {
    Rig rig(Operation::Unblock);
    rig.app.setVerificationCode(rig.server.code, 300);
    rig.toReader();
    rig.press(Action::Cancel);
    REQUIRE(rig.app.stepId() == "code");
    const Screen screen = rig.app.screen();
    CHECK(fieldOf(screen, FieldId::Code).value.empty());
    CHECK(screen.timer.empty());
}
