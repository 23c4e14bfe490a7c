// The wizard's clocks: the session's expiry, the SMS resend wait and the idle reset.
#include "kamusm/wizard/wizard.hpp"

namespace kamusm::wizard {

namespace {

// Whole seconds left until `deadline`, rounded up so that 0 means over.
int secondsUntil(std::int64_t deadline, std::int64_t now) {
    if (deadline <= now) return 0;
    return static_cast<int>((deadline - now + 999) / 1000);
}

} // namespace

void Wizard::tick() {
    const std::int64_t time = now();
    updateTimers(time);
    // Card work is never cut short by a timer; the server decides whether it came in time.
    if (state_.busy || state_.step == Step::Working) return;

    if (session_ && state_.sessionSecondsLeft == 0) {
        wipePins();
        dropCard();
        endSession();
        apply({WizardError::ExpiredCode}, Step::Failed);
        return;
    }

    // Kiosks: the warnings were there long enough to read; the next person starts afresh.
    const bool finished = state_.step == Step::Done || state_.step == Step::Failed;
    if (finished && options_.finishedResetSeconds > 0 &&
        time - finishedAt_ >= std::int64_t{options_.finishedResetSeconds} * 1000) {
        restart();
        return;
    }

    const std::int64_t idleTimeout = std::int64_t{options_.idleTimeoutSeconds} * 1000;
    const std::int64_t idleWarning = std::int64_t{options_.idleWarningSeconds} * 1000;
    const std::int64_t idle = time - lastActivity_;
    const bool atStart =
        (state_.step == Step::Environment || state_.step == Step::Code) && !session_ && !card_;
    if (atStart) return; // nothing to wipe
    if (idle >= idleTimeout) {
        resetAll();
        lastActivity_ = time;
        state_.error = WizardError::IdleReset;
        return;
    }
    state_.idleWarning = idle >= idleTimeout - idleWarning;
    state_.idleSecondsLeft =
        state_.idleWarning ? secondsUntil(lastActivity_ + idleTimeout, time) : 0;
}

void Wizard::stillHere() {
    touch();
}

void Wizard::updateTimers(std::int64_t now) {
    if (session_) state_.sessionSecondsLeft = secondsUntil(sessionDeadline_, now);
    state_.smsResendSeconds = secondsUntil(smsResendAt_, now);
}

} // namespace kamusm::wizard
