// The new-PIN and confirmation steps: the PIN rules, then the holder's SMS code or web password.
#include "kamusm/wizard/wizard.hpp"

namespace kamusm::wizard {

namespace {

std::string_view text(const card::Pin& pin) {
    const ByteView bytes = pin.bytes();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The current PIN is only checked by the card; its length is all that is refused early.
std::optional<PinProblem> currentPinProblem(const card::Pin& pin) {
    if (pin.size() < minimumPinLength) return PinProblem::TooShort;
    if (pin.size() > maximumPinLength) return PinProblem::TooLong;
    return std::nullopt;
}

} // namespace

Task<void> Wizard::submitNewPin(card::Pin current, card::Pin newPin, card::Pin repeat) {
    if (!accepts(Step::NewPin)) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    std::optional<PinProblem> problem;
    if (state_.needsCurrentPin) problem = currentPinProblem(current);
    if (!problem)
        problem = checkNewPin(text(newPin), text(repeat), PinPolicy{session_->holder.birthYear});
    if (problem) {
        state_.pinProblem = problem;
        apply({WizardError::PinPolicy}, Step::NewPin);
        co_return;
    }
    if (state_.needsCurrentPin) currentPin_ = std::move(current);
    newPin_ = std::move(newPin);
    // Confirmed once already (the card was reinserted, or a wrong current PIN): straight on.
    if (confirmed_) {
        co_await runWork();
        co_return;
    }
    setStep(Step::Confirm);
    if (session_->confirmation == backend::Confirmation::Sms) co_await sendSms();
}

Task<void> Wizard::requestSms() {
    if (!accepts(Step::Confirm) || session_->confirmation != backend::Confirmation::Sms) co_return;
    if (state_.smsResendSeconds > 0) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    co_await sendSms();
}

Task<void> Wizard::sendSms() {
    std::exception_ptr failure;
    try {
        const backend::SmsSent sent = co_await backend_.sendSms(session_->id);
        state_.smsSent = true;
        state_.smsSentTo = sent.sentTo;
        smsResendAt_ = now() + std::int64_t{sent.resendIn} * 1000;
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        const MappedError mapped = mapError(failure);
        if (mapped.error == WizardError::RateLimited && mapped.retryAfter)
            smsResendAt_ = now() + std::int64_t{*mapped.retryAfter} * 1000;
        co_await recover(failure);
    }
    updateTimers(now());
}

Task<void> Wizard::submitConfirmation(std::string codeOrPassword) {
    if (!accepts(Step::Confirm)) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    std::exception_ptr failure;
    try {
        if (session_->confirmation == backend::Confirmation::Sms)
            co_await backend_.confirmSms(session_->id, codeOrPassword);
        else
            co_await backend_.confirmPassword(session_->id, codeOrPassword);
    } catch (...) {
        failure = std::current_exception();
    }
    wipe(codeOrPassword);
    if (failure) {
        co_await recover(failure);
        co_return;
    }
    confirmed_ = true;
    co_await runWork();
}

} // namespace kamusm::wizard
