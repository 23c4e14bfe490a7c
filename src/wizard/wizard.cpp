// The Wizard's state keeping and the events before the card: environment, code, cancel, restart.
#include "kamusm/wizard/wizard.hpp"

#include <algorithm>
#include <array>

namespace kamusm::wizard {

namespace {

constexpr std::array<std::pair<Step, std::string_view>, 9> stepIds{{
    {Step::Environment, "environment"},
    {Step::Code, "code"},
    {Step::Reader, "reader"},
    {Step::Card, "card"},
    {Step::NewPin, "new_pin"},
    {Step::Confirm, "confirm"},
    {Step::Working, "working"},
    {Step::Done, "done"},
    {Step::Failed, "failed"},
}};

constexpr std::size_t codeLength = 15;

} // namespace

std::string_view stepId(Step step) {
    for (const auto& [s, id] : stepIds)
        if (s == step) return id;
    return "?";
}

Wizard::Wizard(backend::BackendClient& backend, Clock& clock, reader::Owner& readers,
               WizardOptions options)
    : backend_(backend), clock_(clock), readers_(readers), options_(options),
      lastActivity_(clock.nowMilliseconds()) {}

Wizard::~Wizard() = default;

std::string_view Wizard::errorCode() const {
    return state_.error ? errorId(*state_.error) : std::string_view();
}

Holdings Wizard::holdings() const {
    return {currentPin_.size() > 0, newPin_.size() > 0, card_ != nullptr || !found_.empty(),
            session_.has_value()};
}

void Wizard::environmentChecked(EnvironmentReport report) {
    if (!accepts(Step::Environment)) return;
    touch();
    clearError();
    if (!report.secureContext) return apply({WizardError::InsecureContext}, Step::Environment);
    if (!report.webUsb && !report.smartCard)
        return apply({WizardError::NoWebUsb}, Step::Environment);
    setStep(Step::Code);
}

Task<void> Wizard::submitCode(std::string code) {
    if (!accepts(Step::Code)) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    // The page shows the code in groups; spaces pasted along are not part of it.
    code.erase(std::remove(code.begin(), code.end(), ' '), code.end());
    bool digits =
        std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (code.size() != codeLength || !digits) {
        apply({WizardError::InvalidCode}, Step::Code);
        co_return;
    }
    std::exception_ptr failure;
    try {
        session_ = co_await backend_.startSession(code);
        state_.interruption.reset(); // told already: a new operation starts
        sessionDeadline_ = now() + std::int64_t{session_->expiresIn} * 1000;
        state_.operation = session_->operation;
        state_.confirmation = session_->confirmation;
        state_.holderName = session_->holder.name;
        state_.holderBirthYear = session_->holder.birthYear;
        state_.needsCurrentPin = session_->operation == backend::Operation::Change;
        updateTimers(now());
        // The card may already be in (a new code after an interrupted operation).
        if (card_)
            co_await checkCardWithBackend();
        else
            setStep(Step::Reader);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) co_await recover(failure);
}

void Wizard::cardConfirmed() {
    if (!accepts(Step::Card) || !cardChecked_) return;
    touch();
    clearError();
    setStep(Step::NewPin);
}

Task<void> Wizard::cancel() {
    if (state_.busy || state_.step == Step::Working) co_return;
    touch();
    if (session_) co_await reportOutcome(backend::Outcome::Cancelled, "cancelled by the user");
    co_await releaseCard();
    resetAll();
}

void Wizard::restart() {
    if (!(accepts(Step::Done) || accepts(Step::Failed))) return;
    touch();
    dropCard();
    resetAll();
}

// --- state keeping -------------------------------------------------------------------------

bool Wizard::accepts(Step step) const {
    return state_.step == step && !state_.busy;
}

void Wizard::apply(const MappedError& mapped, Step step) {
    state_.error = mapped.error;
    state_.triesLeft = mapped.triesLeft;
    state_.retryAfterSeconds = mapped.retryAfter;
    setStep(step);
}

void Wizard::setStep(Step step) {
    if ((step == Step::Done || step == Step::Failed) && step != state_.step) finishedAt_ = now();
    state_.step = step;
}

void Wizard::clearError() {
    state_.error.reset();
    state_.pinProblem.reset();
    state_.triesLeft.reset();
    state_.retryAfterSeconds.reset();
}

void Wizard::touch() {
    lastActivity_ = now();
    state_.idleWarning = false;
}

void Wizard::wipePins() {
    currentPin_ = card::Pin();
    newPin_ = card::Pin();
}

// The cards stay with the reader owner, which resets them when they are released.
void Wizard::dropCard() {
    card_.reset();
    slot_.clear();
    found_.clear();
    state_.cardChoices.clear();
    wipe(certificate_);
    certificate_.clear();
    serial_.clear();
    cardChecked_ = false;
    state_.card.reset();
}

void Wizard::endSession() {
    session_.reset();
    confirmed_ = false;
    cardChecked_ = false;
    sessionDeadline_ = smsResendAt_ = 0;
    state_.confirmation.reset();
    state_.holderName.clear();
    state_.holderBirthYear.reset();
    state_.needsCurrentPin = false;
    state_.sessionSecondsLeft.reset();
    state_.smsSent = false;
    state_.smsSentTo.clear();
    state_.smsResendSeconds = 0;
}

// Back to the code entry with nothing of the last holder left (the environment stays checked).
void Wizard::resetAll() {
    wipePins();
    dropCard();
    endSession();
    clearError();
    state_.operation.reset();
    state_.interruption.reset();
    workPhase_ = {};
    state_.workPhase = WorkPhase::None;
    state_.idleWarning = false;
    setStep(state_.step == Step::Environment ? Step::Environment : Step::Code);
}

} // namespace kamusm::wizard
