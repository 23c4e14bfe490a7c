// The app's reactions: actions pressed, text typed or pasted, the page's verification code, and
// the wizard's step changes that decide what the UI must forget.
#include "kamusm/ui/app.hpp"

#include "kamusm/base/bytes.hpp"
#include "kamusm/card/pin.hpp"
#include "kamusm/wizard/pin_policy.hpp"

#include <algorithm>

namespace kamusm::ui {

namespace {

using wizard::Step;

constexpr std::size_t codeLength = 15;
constexpr std::size_t smsCodeLength = 6;
constexpr std::size_t passwordLength = 128;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The bytes of the UTF-8 sequence that `lead` starts (1 for a stray continuation byte).
std::size_t sequenceLength(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

} // namespace

App::App(wizard::Wizard& wizard, wizard::Clock& clock, Host& host, AppOptions options)
    : wizard_(wizard), clock_(clock), host_(host), options_(options), largeText_(options.kiosk) {
    // Room for the longest text up front: a buffer that grows would leave old copies behind.
    for (std::string& field : fields_)
        field.reserve(passwordLength);
    environment_ = host_.probeEnvironment();
    wizard_.environmentChecked(environment_);
    lastStep_ = wizard_.state().step;
}

App::~App() {
    for (std::string& field : fields_)
        wipe(field);
}

std::string_view App::stepId() const {
    return wizard::stepId(wizard_.state().step);
}

std::optional<std::string_view> App::errorId() const {
    const std::string_view code = wizard_.errorCode();
    if (code.empty()) return std::nullopt;
    return code;
}

App::FieldRule App::rule(FieldId field) const {
    switch (field) {
    case FieldId::Code:
        return {false, true, codeLength};
    case FieldId::CurrentPin:
    case FieldId::NewPin:
    case FieldId::RepeatPin:
        return {true, true, wizard::maximumPinLength};
    case FieldId::Confirmation:
        if (wizard_.state().confirmation == backend::Confirmation::Password)
            return {true, false, passwordLength};
        return {false, true, smsCodeLength};
    }
    return {};
}

bool App::isPinField(FieldId field) const {
    return field == FieldId::CurrentPin || field == FieldId::NewPin || field == FieldId::RepeatPin;
}

bool App::offers(Action action, int value) const {
    const Screen current = screen();
    const auto matches = [&](const Button& button) {
        const bool valued = action == Action::KeypadDigit || action == Action::ChooseCard;
        return button.action == action && button.enabled && (!valued || button.value == value);
    };
    return std::any_of(current.buttons.begin(), current.buttons.end(), matches) ||
           std::any_of(current.keypad.begin(), current.keypad.end(), matches);
}

bool App::offers(FieldId field) const {
    const Screen current = screen();
    return std::any_of(current.fields.begin(), current.fields.end(),
                       [&](const Field& shown) { return shown.id == field; });
}

void App::press(Action action, int value) {
    if (!offers(action, value)) return;
    switch (action) {
    case Action::SwitchLanguage:
        language_ = language_ == wizard::Language::Turkish ? wizard::Language::English
                                                           : wizard::Language::Turkish;
        break;
    case Action::LargeText:
        largeText_ = !largeText_;
        break;
    case Action::CheckAgain:
        environment_ = host_.probeEnvironment();
        wizard_.environmentChecked(environment_);
        break;
    case Action::SubmitCode:
        submitCode();
        break;
    case Action::PasteCode:
        host_.requestPaste();
        break;
    case Action::ChooseReader:
        host_.chooseReader();
        break;
    case Action::TryVirtualCard:
        host_.tryVirtualCard();
        break;
    case Action::DownloadHelper:
        host_.downloadHelper();
        break;
    case Action::ChooseCard:
        host_.run(wizard_.chooseCard(static_cast<std::size_t>(value)));
        break;
    case Action::ConfirmCard:
        wizard_.cardConfirmed();
        break;
    case Action::ToggleShowPin:
        showPin_ = !showPin_;
        break;
    case Action::ToggleKeypad:
        toggleKeypad();
        break;
    case Action::KeypadDigit:
        typeDigit(value);
        break;
    case Action::KeypadErase:
        eraseDigit();
        break;
    case Action::SubmitPin:
        submitPin();
        break;
    case Action::ResendSms:
        host_.run(wizard_.requestSms());
        break;
    case Action::SubmitConfirmation:
        submitConfirmation();
        break;
    case Action::StillHere:
        wizard_.stillHere();
        break;
    case Action::Cancel:
        host_.run(wizard_.cancel());
        break;
    case Action::Restart:
        wizard_.restart();
        break;
    case Action::OpenHelp:
        host_.openHelp(alertText().second);
        break;
    case Action::StartOver:
        startOver();
        break;
    }
    followStep();
}

void App::fill(FieldId field, std::string_view typed) {
    const FieldRule fieldRule = rule(field);
    std::string& text = buffer(field);
    wipe(text);
    for (std::size_t at = 0; at < typed.size();) {
        const std::size_t length =
            fieldRule.numeric ? 1 : sequenceLength(static_cast<unsigned char>(typed[at]));
        if (fieldRule.numeric && !isDigit(typed[at])) {
            ++at; // the page shows the code in groups; spaces and dashes are not part of it
            continue;
        }
        if (text.size() + length > fieldRule.maxLength || at + length > typed.size()) break;
        text.append(typed.substr(at, length));
        at += length;
    }
}

void App::setField(FieldId field, std::string_view typed) {
    if (!offers(field)) return;
    fill(field, typed);
    activeField_ = field;
    wizard_.stillHere(); // typing is activity: the idle reset waits
}

void App::activateField(FieldId field) {
    if (offers(field)) activeField_ = field;
}

void App::paste(std::string_view text) {
    if (wizard_.state().step != Step::Code) return;
    fill(FieldId::Code, text);
    activeField_ = FieldId::Code;
    wizard_.stillHere();
}

void App::setVerificationCode(std::string_view code, std::optional<int> expiresInSeconds) {
    fill(FieldId::Code, code);
    codeDeadline_.reset();
    if (expiresInSeconds)
        codeDeadline_ = clock_.nowMilliseconds() + std::int64_t{*expiresInSeconds} * 1000;
}

void App::setReaderStatus(ReaderStatus status) {
    readerStatus_ = status;
}

void App::submitCode() {
    host_.run(wizard_.submitCode(text(FieldId::Code)));
}

void App::submitPin() {
    card::Pin current(text(FieldId::CurrentPin));
    card::Pin newPin(text(FieldId::NewPin));
    card::Pin repeat(text(FieldId::RepeatPin));
    wipePinFields(); // the wizard holds the only copies from here on
    host_.run(wizard_.submitNewPin(std::move(current), std::move(newPin), std::move(repeat)));
}

void App::submitConfirmation() {
    std::string codeOrPassword = text(FieldId::Confirmation);
    wipeField(FieldId::Confirmation);
    host_.run(wizard_.submitConfirmation(std::move(codeOrPassword)));
}

void App::update() {
    wizard_.tick();
    followStep();
}

void App::followStep() {
    const Step step = wizard_.state().step;
    if (step != lastStep_) {
        leaveStep(lastStep_);
        enterStep(step);
        lastStep_ = step;
    }
    requestSmsOnce();
}

void App::leaveStep(Step step) {
    switch (step) {
    case Step::Code:
        // The code opened a session (or the flow moved on): it is of no further use.
        wipeField(FieldId::Code);
        codeDeadline_.reset();
        break;
    case Step::NewPin:
        wipePinFields();
        keypad_ = false;
        showPin_ = false;
        break;
    case Step::Confirm:
        wipeField(FieldId::Confirmation);
        smsRequested_ = false;
        break;
    default:
        break;
    }
}

void App::enterStep(Step step) {
    switch (step) {
    case Step::Code:
        activeField_ = FieldId::Code;
        break;
    case Step::NewPin:
        activeField_ = wizard_.state().needsCurrentPin ? FieldId::CurrentPin : FieldId::NewPin;
        if (options_.kiosk) openKeypad(); // a touch screen has no keyboard
        break;
    case Step::Confirm:
        activeField_ = FieldId::Confirmation;
        break;
    default:
        break;
    }
}

// The wizard sends the first SMS itself; when that failed, the Confirm step asks once more.
void App::requestSmsOnce() {
    const wizard::WizardState& state = wizard_.state();
    if (state.step != Step::Confirm || state.confirmation != backend::Confirmation::Sms ||
        state.smsSent || state.busy || smsRequested_)
        return;
    smsRequested_ = true;
    host_.run(wizard_.requestSms());
}

void App::startOver() {
    for (const FieldId field : {FieldId::Code, FieldId::Confirmation})
        wipeField(field);
    wipePinFields();
    codeDeadline_.reset();
    switch (wizard_.state().step) {
    case Step::Environment:
        environment_ = host_.probeEnvironment();
        wizard_.environmentChecked(environment_);
        break;
    case Step::Done:
    case Step::Failed:
        wizard_.restart();
        break;
    default:
        host_.run(wizard_.cancel());
        break;
    }
}

void App::wipeField(FieldId field) {
    wipe(buffer(field));
    if (rule(field).secret) ++wipes_;
}

void App::wipePinFields() {
    for (const FieldId field : {FieldId::CurrentPin, FieldId::NewPin, FieldId::RepeatPin})
        wipeField(field);
    if (isPinField(activeField_))
        activeField_ = wizard_.state().needsCurrentPin ? FieldId::CurrentPin : FieldId::NewPin;
}

} // namespace kamusm::ui
