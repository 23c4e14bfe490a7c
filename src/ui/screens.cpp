// The current screen as plain data, built from the wizard's state and the UI's own: one builder
// per step, then what every screen shares. Called every frame: only reads, allocates a little.
#include "kamusm/ui/app.hpp"

#include "kamusm/ui/texts.hpp"
#include "kamusm/wizard/pin_policy.hpp"

#include <algorithm>
#include <tuple>

namespace kamusm::ui {

namespace {

using wizard::Language;
using wizard::Step;

std::string str(std::string_view text) {
    return std::string(text);
}

Button button(Action action, UiText label, Language language, bool primary = false) {
    return {action, str(uiText(label, language)), primary};
}

void addInstruction(Screen& screen, Step step, Language language) {
    screen.paragraphs.push_back(str(wizard::stepInstruction(step, language)));
}

std::string pinStateText(const wizard::CardSummary& card, Language language) {
    switch (card.pinState) {
    case card::PinState::Set:
    case card::PinState::Verified:
        return uiText(UiText::PinSet, language, card.pinTriesLeft);
    case card::PinState::NotSet:
        return str(uiText(UiText::PinNotSet, language));
    case card::PinState::Blocked:
        return str(uiText(UiText::PinBlocked, language));
    }
    return {};
}

// The steps during which the session's countdown runs and matters to the holder.
bool showsSessionTimer(Step step) {
    return step == Step::Reader || step == Step::Card || step == Step::NewPin ||
           step == Step::Confirm;
}

// The reader step offers the desktop helper where the page has no PC/SC path (no transport yet,
// or only WebUSB, which Chrome refuses most readers), and when its program is missing.
bool offersHelper(const wizard::WizardState& state,
                  std::optional<reader::TransportKind> transport) {
    if (state.error == wizard::WizardError::HelperMissing) return true;
    return !transport || *transport == reader::TransportKind::WebUsb;
}

// The actions that stay usable while the wizard works: they change only the UI.
bool worksWhileBusy(Action action) {
    return action == Action::SwitchLanguage || action == Action::LargeText ||
           action == Action::OpenHelp || action == Action::StartOver;
}

} // namespace

Screen App::screen() const {
    using Builder = void (App::*)(Screen&) const;
    static constexpr std::array<Builder, 9> builders{
        &App::environmentScreen, &App::codeScreen,   &App::readerScreen,
        &App::cardScreen,        &App::newPinScreen, &App::confirmScreen,
        &App::workingScreen,     &App::doneScreen,   &App::failedScreen,
    };
    const Step step = wizard_.state().step;
    Screen screen;
    screen.stepId = wizard::stepId(step);
    screen.language = language_ == Language::Turkish ? "tr" : "en";
    screen.title = str(wizard::stepTitle(step, language_));
    (this->*builders.at(static_cast<std::size_t>(step)))(screen);
    commonParts(screen);
    return screen;
}

void App::commonParts(Screen& screen) const {
    const wizard::WizardState& state = wizard_.state();
    std::tie(screen.alert, screen.help) = alertText();
    if (showsSessionTimer(state.step) && state.sessionSecondsLeft)
        screen.timer =
            uiText(UiText::TimeLeft, language_, minutesAndSeconds(*state.sessionSecondsLeft));
    if (state.busy) {
        if (screen.status.empty()) screen.status = str(uiText(UiText::Busy, language_));
        for (Button& shown : screen.buttons)
            shown.enabled = false;
        for (Button& shown : screen.keypad)
            shown.enabled = false;
    }
    if (state.idleWarning) {
        screen.warning = uiText(UiText::IdleWarning, language_, state.idleSecondsLeft);
        // The way to keep the session comes first and is what Enter does (WCAG 2.2.1).
        for (Button& shown : screen.buttons)
            shown.primary = false;
        screen.buttons.insert(screen.buttons.begin(),
                              button(Action::StillHere, UiText::StillHere, language_, true));
    }
    if (options_.kiosk) {
        // One way back on every screen, in the same place: after the step's own buttons.
        std::erase_if(screen.buttons, [](const Button& shown) {
            return shown.action == Action::Cancel || shown.action == Action::Restart;
        });
        screen.buttons.push_back(button(Action::StartOver, UiText::StartOver, language_));
    }
    if (!screen.help.empty() && host_.offersHelp())
        screen.buttons.push_back(button(Action::OpenHelp, UiText::OpenHelp, language_));
    screen.buttons.push_back(button(Action::SwitchLanguage, UiText::OtherLanguage, language_));
    screen.buttons.push_back(button(
        Action::LargeText, largeText_ ? UiText::LargeTextOff : UiText::LargeTextOn, language_));
    for (Button& shown : screen.buttons)
        if (worksWhileBusy(shown.action)) shown.enabled = true;
}

std::pair<std::string, std::string_view> App::alertText() const {
    const wizard::WizardState& state = wizard_.state();
    // No card in the reader is the Reader step's live status, not an alert.
    if (!state.error || *state.error == wizard::WizardError::NoCard) return {};
    const wizard::Guidance guided = wizard::guidance(*state.error, environment_, language_);
    std::string alert = str(guided.text);
    // An operation cut short: first what it left on the card.
    if (state.interruption)
        alert = str(wizard::interruptionText(*state.interruption, language_)) + " " + alert;
    if (*state.error == wizard::WizardError::PinPolicy && state.pinProblem)
        alert += " " + str(wizard::message(*state.pinProblem, language_));
    if (state.triesLeft) alert += " " + uiText(UiText::TriesLeft, language_, *state.triesLeft);
    if (state.retryAfterSeconds)
        alert += " " + uiText(UiText::RetryAfter, language_, *state.retryAfterSeconds);
    return {alert, guided.anchor};
}

Field App::field(FieldId id, std::string label, std::string hint) const {
    const FieldRule fieldRule = rule(id);
    Field shown{.id = id,
                .label = std::move(label),
                .hint = std::move(hint),
                .secret = fieldRule.secret,
                .numeric = fieldRule.numeric,
                .maxLength = fieldRule.maxLength};
    if (!fieldRule.secret) shown.value = text(id);
    shown.length = text(id).size();
    shown.shown = fieldRule.secret && isPinField(id) && showPin_;
    shown.active = id == activeField_;
    return shown;
}

std::optional<int> App::codeSecondsLeft() const {
    if (!codeDeadline_) return std::nullopt;
    const std::int64_t left = *codeDeadline_ - clock_.nowMilliseconds();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

void App::environmentScreen(Screen& screen) const {
    addInstruction(screen, Step::Environment, language_);
    if (wizard_.state().error)
        screen.buttons.push_back(button(Action::CheckAgain, UiText::CheckAgain, language_, true));
    else
        screen.paragraphs.push_back(str(uiText(UiText::Ready, language_)));
}

void App::codeScreen(Screen& screen) const {
    addInstruction(screen, Step::Code, language_);
    const std::size_t typed = text(FieldId::Code).size();
    screen.fields.push_back(
        field(FieldId::Code, str(uiText(UiText::CodeLabel, language_)),
              typed == 0 ? str(uiText(UiText::CodeHint, language_))
                         : uiText(UiText::CodeCount, language_, static_cast<int>(typed))));
    if (const std::optional<int> left = codeSecondsLeft()) {
        if (*left > 0)
            screen.timer = uiText(UiText::TimeLeft, language_, minutesAndSeconds(*left));
        else
            screen.status = str(wizard::message(wizard::WizardError::ExpiredCode, language_));
    }
    screen.buttons.push_back(button(Action::SubmitCode, UiText::SubmitCode, language_, true));
    screen.buttons.push_back(button(Action::PasteCode, UiText::PasteCode, language_));
}

void App::readerScreen(Screen& screen) const {
    const wizard::WizardState& state = wizard_.state();
    addInstruction(screen, Step::Reader, language_);
    static constexpr std::array<UiText, 3> statusTexts{
        UiText::ReaderNoneChosen, UiText::ReaderOpening, UiText::ReaderWithoutCard};
    UiText status = statusTexts.at(static_cast<std::size_t>(readerStatus_));
    if (state.busy) status = UiText::ReaderOpening;
    if (state.error == wizard::WizardError::NoCard) status = UiText::ReaderWithoutCard;
    screen.status = str(uiText(status, language_));
    if (const auto transport = host_.transport())
        screen.paragraphs.push_back(str(wizard::transportText(*transport, language_)));
    screen.buttons.push_back(button(Action::ChooseReader, UiText::ChooseReader, language_, true));
    if (host_.demoMode())
        screen.buttons.push_back(button(Action::TryVirtualCard, UiText::TryVirtualCard, language_));
    if (offersHelper(state, host_.transport())) {
        screen.paragraphs.push_back(str(uiText(UiText::HelperWhy, language_)));
        if (const std::optional<std::string> system = host_.helperDownload()) {
            Button download = button(Action::DownloadHelper, UiText::DownloadHelper, language_);
            download.label = uiText(UiText::DownloadHelper, language_, *system);
            screen.buttons.push_back(std::move(download));
        } else {
            screen.paragraphs.push_back(str(uiText(UiText::HelperNotForSystem, language_)));
        }
    }
    screen.buttons.push_back(button(Action::Cancel, UiText::Cancel, language_));
}

void App::cardScreen(Screen& screen) const {
    const wizard::WizardState& state = wizard_.state();
    addInstruction(screen, Step::Card, language_);
    const auto fact = [&](UiText label, std::string value) {
        screen.facts.push_back({str(uiText(label, language_)), std::move(value)});
    };
    if (state.operation)
        fact(UiText::OperationFact, str(wizard::operationName(*state.operation, language_)));
    if (state.transport)
        screen.paragraphs.push_back(str(wizard::transportText(*state.transport, language_)));
    // Several cards: the holder picks one by holder, masked TCKN and serial (the old app's
    // "Kart Seçimi").
    if (!state.cardChoices.empty()) {
        screen.paragraphs.push_back(str(uiText(UiText::SeveralCards, language_)));
        for (std::size_t i = 0; i < state.cardChoices.size(); ++i) {
            const wizard::CardSummary& choice = state.cardChoices[i];
            Button pick = button(Action::ChooseCard, UiText::CardChoice, language_, i == 0);
            pick.label =
                uiText(UiText::CardChoice, language_,
                       choice.holderName + ", " + choice.tcknMasked + ", " + choice.serial);
            pick.value = static_cast<int>(i);
            screen.buttons.push_back(std::move(pick));
        }
        screen.buttons.push_back(button(Action::Cancel, UiText::Cancel, language_));
        return;
    }
    if (const std::optional<wizard::CardSummary>& card = state.card) {
        fact(UiText::HolderFact, card->holderName);
        fact(UiText::TcknFact, card->tcknMasked);
        fact(UiText::SerialFact, card->serial);
        fact(UiText::IssuerFact, card->issuer);
        fact(UiText::ValidityFact, card->notBefore + " – " + card->notAfter);
        fact(UiText::PinStateFact, pinStateText(*card, language_));
    }
    screen.buttons.push_back(button(Action::ConfirmCard, UiText::ConfirmCard, language_, true));
    screen.buttons.push_back(button(Action::Cancel, UiText::Cancel, language_));
}

void App::newPinScreen(Screen& screen) const {
    const wizard::WizardState& state = wizard_.state();
    addInstruction(screen, Step::NewPin, language_);
    const auto say = [&](UiText text) { return str(uiText(text, language_)); };
    if (state.needsCurrentPin)
        screen.fields.push_back(
            field(FieldId::CurrentPin, say(UiText::CurrentPinLabel), say(UiText::CurrentPinHint)));

    // The rules as the holder types; the birth year rule when the server told the year.
    const std::string& newPin = text(FieldId::NewPin);
    std::string newHint = say(UiText::NewPinHint);
    if (!newPin.empty()) {
        const auto problem = wizard::checkNewPin(newPin, wizard::PinPolicy{state.holderBirthYear});
        newHint = problem ? str(wizard::message(*problem, language_)) : say(UiText::NewPinFine);
    }
    screen.fields.push_back(field(FieldId::NewPin, say(UiText::NewPinLabel), std::move(newHint)));

    // A repeat still being typed is a beginning of the new PIN: no mismatch yet.
    const std::string& repeat = text(FieldId::RepeatPin);
    std::string repeatHint = say(UiText::RepeatPinHint);
    if (!repeat.empty() && repeat == newPin)
        repeatHint = say(UiText::RepeatPinFine);
    else if (!repeat.empty() && !newPin.starts_with(repeat))
        repeatHint = str(wizard::message(wizard::PinProblem::Mismatch, language_));
    screen.fields.push_back(
        field(FieldId::RepeatPin, say(UiText::RepeatPinLabel), std::move(repeatHint)));

    screen.buttons.push_back(button(Action::SubmitPin, UiText::SubmitPin, language_, true));
    screen.buttons.push_back(
        button(Action::ToggleShowPin, showPin_ ? UiText::HidePin : UiText::ShowPin, language_));
    screen.buttons.push_back(button(Action::ToggleKeypad,
                                    keypad_ ? UiText::CloseKeypad : UiText::OpenKeypad, language_));
    screen.buttons.push_back(button(Action::Cancel, UiText::Cancel, language_));
    if (keypad_) screen.keypad = keypadButtons();
}

void App::confirmScreen(Screen& screen) const {
    const wizard::WizardState& state = wizard_.state();
    addInstruction(screen, Step::Confirm, language_);
    const auto say = [&](UiText text) { return str(uiText(text, language_)); };
    if (state.confirmation == backend::Confirmation::Password) {
        screen.fields.push_back(
            field(FieldId::Confirmation, say(UiText::PasswordLabel), say(UiText::PasswordHint)));
    } else {
        if (state.smsSent)
            screen.paragraphs.push_back(uiText(UiText::SmsSentTo, language_, state.smsSentTo));
        std::string hint = say(UiText::SmsCodeHint);
        if (state.smsResendSeconds > 0)
            hint += " " + uiText(UiText::ResendIn, language_, state.smsResendSeconds);
        screen.fields.push_back(
            field(FieldId::Confirmation, say(UiText::SmsCodeLabel), std::move(hint)));
    }
    screen.buttons.push_back(
        button(Action::SubmitConfirmation, UiText::SubmitConfirmation, language_, true));
    if (state.confirmation == backend::Confirmation::Sms) {
        Button resend = button(Action::ResendSms, UiText::ResendSms, language_);
        resend.enabled = state.smsResendSeconds == 0;
        screen.buttons.push_back(std::move(resend));
    }
    screen.buttons.push_back(button(Action::Cancel, UiText::Cancel, language_));
}

void App::workingScreen(Screen& screen) const {
    addInstruction(screen, Step::Working, language_);
    // The phase in words; no percentage, since the card's work has no measurable share.
    screen.status = str(wizard::workPhaseText(wizard_.state().workPhase, language_));
}

void App::doneScreen(Screen& screen) const {
    if (const std::optional<backend::Operation> operation = wizard_.state().operation)
        screen.paragraphs.push_back(str(wizard::successText(*operation, language_)));
    addInstruction(screen, Step::Done, language_);
    for (const std::string_view warning : wizard::pinWarnings(language_))
        screen.notes.push_back(str(warning));
    screen.buttons.push_back(button(Action::Restart, UiText::Restart, language_, true));
}

void App::failedScreen(Screen& screen) const {
    // The reason and the way forward are the alert, which the instruction refers to.
    addInstruction(screen, Step::Failed, language_);
    screen.buttons.push_back(button(Action::Restart, UiText::Restart, language_, true));
}

} // namespace kamusm::ui
