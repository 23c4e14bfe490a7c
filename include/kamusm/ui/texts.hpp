// The texts only the screens need (button, field and fact labels, hints, status lines), in
// Turkish and English. What the wizard says about steps and errors comes from
// kamusm/wizard/messages.hpp.
#pragma once

#include "kamusm/wizard/messages.hpp"

#include <string>
#include <string_view>

namespace kamusm::ui {

enum class UiText {
    // buttons
    CheckAgain,
    OtherLanguage,
    LargeTextOn,
    LargeTextOff,
    SubmitCode,
    PasteCode,
    ChooseReader,
    TryVirtualCard,
    DownloadHelper, // "{}": the system, e.g. "Windows"
    ConfirmCard,
    CardChoice, // "{}": holder, masked TCKN, serial
    ShowPin,
    HidePin,
    OpenKeypad,
    CloseKeypad,
    KeypadErase,
    SubmitPin,
    ResendSms,
    SubmitConfirmation,
    StillHere,
    Cancel,
    Restart,
    OpenHelp,
    StartOver,
    // fields and their hints ("{}" is filled in)
    CodeLabel,
    CodeHint,
    CodeCount,
    CurrentPinLabel,
    CurrentPinHint,
    NewPinLabel,
    NewPinHint,
    NewPinFine,
    RepeatPinLabel,
    RepeatPinHint,
    RepeatPinFine,
    SmsCodeLabel,
    SmsCodeHint,
    ResendIn,
    PasswordLabel,
    PasswordHint,
    // facts
    OperationFact,
    HolderFact,
    TcknFact,
    SerialFact,
    IssuerFact,
    ValidityFact,
    PinStateFact,
    PinSet,
    PinNotSet,
    PinBlocked,
    // status lines and the rest
    Ready,
    TimeLeft,
    ReaderNoneChosen,
    ReaderOpening,
    ReaderWithoutCard,
    Busy,
    SmsSentTo,
    TriesLeft,
    RetryAfter,
    IdleWarning,
    SeveralCards,
    HelperWhy,
    HelperNotForSystem,
};

std::string_view uiText(UiText text, wizard::Language language);
// The text with its "{}" replaced by `value`.
std::string uiText(UiText text, wizard::Language language, std::string_view value);
std::string uiText(UiText text, wizard::Language language, int value);
// "4:05": minutes and seconds, for the countdowns.
std::string minutesAndSeconds(int seconds);

} // namespace kamusm::ui
