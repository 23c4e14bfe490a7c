// The PIN fields: rules as the holder types, the keypad, and the PINs never kept or shown.
#include "ui/app_rig.hpp"

#include "kamusm/ui/texts.hpp"

#include <algorithm>
#include <set>

using namespace kamusm;
using namespace kamusm::ui;
using namespace kamusm::ui::test;
using backend::Operation;
using wizard::Language;
using wizard::PinProblem;

namespace {

std::string say(PinProblem problem) {
    return std::string(wizard::message(problem, Language::Turkish));
}

std::string say(UiText text) {
    return std::string(uiText(text, Language::Turkish));
}

std::string hintOf(Rig& rig, FieldId field) {
    return fieldOf(rig.app.screen(), field).hint;
}

std::vector<int> keypadDigits(const Screen& screen) {
    std::vector<int> digits;
    for (const Button& button : screen.keypad)
        if (button.action == Action::KeypadDigit) {
            CHECK(button.label == std::to_string(button.value));
            digits.push_back(button.value);
        }
    return digits;
}

void checkPinFieldsEmpty(const Screen& screen) {
    for (const Field& field : screen.fields)
        CHECK(field.length == 0);
}

} // namespace

TEST_CASE("the new PIN's rules show as the holder types, the mismatch on the repeat") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    CHECK(hintOf(rig, FieldId::NewPin) == say(UiText::NewPinHint));
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(UiText::RepeatPinHint));
    const std::vector<std::pair<std::string, std::string>> typed{
        {"5", say(PinProblem::TooShort)},         {"111111", say(PinProblem::AllSame)},
        {"123456", say(PinProblem::StraightRun)}, {"58203", say(PinProblem::TooShort)},
        {"582039", say(UiText::NewPinFine)},      {"5820a39", say(UiText::NewPinFine)},
    };
    for (const auto& [pin, hint] : typed) {
        rig.app.setField(FieldId::NewPin, pin);
        CHECK(hintOf(rig, FieldId::NewPin) == hint);
    }
    rig.app.setField(FieldId::NewPin, "1234567890123"); // 13 digits: the field keeps 12
    CHECK(fieldOf(rig.app.screen(), FieldId::NewPin).length == 12);

    rig.app.setField(FieldId::NewPin, "582039");
    rig.app.setField(FieldId::RepeatPin, "582"); // still typing
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(UiText::RepeatPinHint));
    rig.app.setField(FieldId::RepeatPin, "583");
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(PinProblem::Mismatch));
    rig.app.setField(FieldId::RepeatPin, "5820391");
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(PinProblem::Mismatch));
    rig.app.setField(FieldId::RepeatPin, "582039");
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(UiText::RepeatPinFine));
}

TEST_CASE("the birth year rule shows when the server told the holder's year") {
    for (const std::optional<int> year : {std::optional<int>(1978), std::optional<int>()}) {
        Rig rig(Operation::Change);
        rig.server.birthYear = year;
        rig.toNewPin();
        CHECK(rig.state().holderBirthYear == year);
        rig.app.setField(FieldId::NewPin, "219785");
        CHECK(hintOf(rig, FieldId::NewPin) ==
              (year ? say(PinProblem::BirthYear) : say(UiText::NewPinFine)));
    }
}

TEST_CASE("a PIN breaking a rule comes back as an alert with the rule, the fields empty") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.setField(FieldId::CurrentPin, "123456");
    rig.app.setField(FieldId::NewPin, "582039");
    rig.app.setField(FieldId::RepeatPin, "582093");
    rig.press(Action::SubmitPin);
    CHECK(rig.app.stepId() == "new_pin");
    CHECK(rig.app.errorId() == "pin_policy");
    const Screen screen = rig.app.screen();
    CHECK(screen.alert ==
          std::string(wizard::message(wizard::WizardError::PinPolicy, Language::Turkish)) + " " +
              say(PinProblem::Mismatch));
    checkPinFieldsEmpty(screen);
    CHECK(fieldOf(screen, FieldId::CurrentPin).active);
}

TEST_CASE("a wrong current PIN: the alert with the tries left") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.setField(FieldId::CurrentPin, "654321");
    rig.app.setField(FieldId::NewPin, "582039");
    rig.app.setField(FieldId::RepeatPin, "582039");
    rig.press(Action::SubmitPin);
    rig.app.setField(FieldId::Confirmation, rig.server.smsCode);
    rig.press(Action::SubmitConfirmation);
    REQUIRE(rig.app.errorId() == "wrong_current_pin");
    CHECK(rig.app.stepId() == "new_pin");
    CHECK(rig.app.screen().alert.ends_with("Kalan deneme hakkı: 2."));
}

TEST_CASE("the PINs are wiped from the UI as soon as they are submitted, and never shown") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    const std::string current = "123456", pin = "582039";
    rig.app.setField(FieldId::CurrentPin, current);
    rig.app.setField(FieldId::NewPin, pin);
    rig.app.setField(FieldId::RepeatPin, pin);
    for (const bool shown : {false, true}) {
        const Screen screen = rig.app.screen();
        CHECK(fieldOf(screen, FieldId::NewPin).length == pin.size());
        CHECK(fieldOf(screen, FieldId::NewPin).shown == shown);
        CHECK_FALSE(screenContains(screen, pin));
        CHECK_FALSE(screenContains(screen, current));
        for (const Field& field : screen.fields)
            CHECK(field.value.empty());
        rig.press(Action::ToggleShowPin);
    }
    rig.app.press(Action::SubmitPin); // no update(): wiped at once
    REQUIRE(rig.app.stepId() == "confirm");
    rig.press(Action::Cancel);
    rig.server.issueCode("543215432154321");
    rig.toNewPin();
    checkPinFieldsEmpty(rig.app.screen());
}

TEST_CASE("the PIN fields are wiped when the card is taken out") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.setField(FieldId::NewPin, "582039");
    rig.press(Action::ToggleKeypad);
    rig.reader.faults().cardRemoved = true;
    rig.host.run(rig.wizard.cardRemoved());
    rig.app.update();
    REQUIRE(rig.app.stepId() == "reader");
    CHECK(rig.app.errorId() == "card_removed");
    CHECK(rig.app.screen().alert ==
          wizard::message(wizard::WizardError::CardRemoved, Language::Turkish));

    rig.reader.faults().cardRemoved = false;
    rig.press(Action::ChooseReader);
    rig.press(Action::ConfirmCard);
    REQUIRE(rig.app.stepId() == "new_pin");
    const Screen screen = rig.app.screen();
    checkPinFieldsEmpty(screen);
    CHECK(screen.keypad.empty()); // closed with the step
}

TEST_CASE("the PIN fields are wiped by the idle reset") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.setField(FieldId::NewPin, "582039");
    rig.clock.advanceSeconds(121);
    rig.app.update();
    REQUIRE(rig.app.stepId() == "code");
    rig.server.issueCode("543215432154321");
    rig.toNewPin();
    checkPinFieldsEmpty(rig.app.screen());
}

TEST_CASE("the keypad: a permutation of the ten digits, in a new order at each opening") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    CHECK(rig.app.screen().keypad.empty());
    std::set<std::vector<int>> orders;
    for (int opening = 0; opening < 8; ++opening) {
        rig.press(Action::ToggleKeypad);
        const Screen screen = rig.app.screen();
        CHECK(buttonOf(screen, Action::ToggleKeypad).label == "Ekran klavyesini kapat");
        std::vector<int> digits = keypadDigits(screen);
        std::vector<int> sorted = digits;
        std::sort(sorted.begin(), sorted.end());
        CHECK(sorted == std::vector{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        CHECK(screen.keypad.back().action == Action::KeypadErase);
        CHECK(screen.keypad.back().label == "Sil");
        orders.insert(digits);
        rig.press(Action::ToggleKeypad);
        CHECK(rig.app.screen().keypad.empty());
    }
    // Eight orders out of 10! drawn at random: equal ones are all but impossible.
    CHECK(orders.size() >= 7);
}

TEST_CASE("the keypad types into the active PIN field and erases from it") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.press(Action::ToggleKeypad);
    for (const char digit : std::string("123456"))
        rig.press(Action::KeypadDigit, digit - '0');
    CHECK(fieldOf(rig.app.screen(), FieldId::CurrentPin).length == 6);

    rig.app.activateField(FieldId::NewPin);
    Screen screen = rig.app.screen();
    CHECK(fieldOf(screen, FieldId::NewPin).active);
    CHECK_FALSE(fieldOf(screen, FieldId::CurrentPin).active);
    for (const char digit : std::string("5820399"))
        rig.press(Action::KeypadDigit, digit - '0');
    rig.press(Action::KeypadErase);
    CHECK(fieldOf(rig.app.screen(), FieldId::NewPin).length == 6);
    rig.press(Action::KeypadDigit, 12); // no such key: ignored
    CHECK(fieldOf(rig.app.screen(), FieldId::NewPin).length == 6);
    rig.app.activateField(FieldId::RepeatPin);
    for (const char digit : std::string("582039"))
        rig.press(Action::KeypadDigit, digit - '0');
    CHECK(hintOf(rig, FieldId::RepeatPin) == say(UiText::RepeatPinFine));
    CHECK_FALSE(screenContains(rig.app.screen(), "582039"));

    rig.press(Action::SubmitPin);
    REQUIRE(rig.app.stepId() == "confirm");
    CHECK(rig.app.errorId() == std::nullopt);
    rig.app.setField(FieldId::Confirmation, rig.server.smsCode);
    rig.press(Action::SubmitConfirmation);
    CHECK(rig.app.stepId() == "done");
    CHECK(wizard::test::pinVerifies(rig.reader, "582039"));
}

TEST_CASE("fields of other steps take no text") {
    Rig rig(Operation::Change);
    rig.app.setField(FieldId::NewPin, "582039"); // at the code step
    rig.toNewPin();
    checkPinFieldsEmpty(rig.app.screen());
}
