// The Working step: the card work of the operation, the check of the new PIN, the outcome.
#include "kamusm/wizard/wizard.hpp"

#include "kamusm/card/self_test.hpp"
#include "kamusm/card/unblock.hpp"

namespace kamusm::wizard {

namespace {

// The outcome detail names how far the card work got, for the audit log.
constexpr std::string_view phaseStarted = "card_work_started";
constexpr std::string_view phaseAuthorizing = "authorization_requested";
constexpr std::string_view phasePinSet = "pin_set";
constexpr std::string_view phaseChecked = "pin_checked";

// What a card work cut short at `phase` left on the card; `writing`: the PIN command may have
// reached it.
Interruption interruptionAt(std::string_view phase, bool writing) {
    if (phase == phasePinSet || phase == phaseChecked) return Interruption::PinSet;
    return writing ? Interruption::PinMaybeSet : Interruption::PinUnchanged;
}

backend::Outcome outcomeOf(WizardError error) {
    if (isRemoval(error)) return backend::Outcome::CardRemoved;
    if (error == WizardError::PinBlocked || error == WizardError::PinNotSet)
        return backend::Outcome::WrongState;
    return backend::Outcome::CardError;
}

} // namespace

Task<void> Wizard::runWork() {
    setStep(Step::Working);
    workPhase_ = phaseStarted;
    pinWriting_ = false;
    state_.workPhase = WorkPhase::SettingPin;
    std::exception_ptr failure;
    // The transaction keeps other programs' APDUs away from the card until the PIN is set and
    // checked (PC/SC); it ends with the work, and the card is reset when it is released.
    bool inTransaction = false;
    try {
        card::AkisCard card(*card_);
        co_await card_->beginTransaction();
        inTransaction = true;
        co_await setPin(card);
        workPhase_ = phasePinSet;
        state_.workPhase = WorkPhase::CheckingPin;
        co_await checkNewPinOnCard(card);
        workPhase_ = phaseChecked;
    } catch (...) {
        failure = std::current_exception();
    }
    wipePins();
    if (inTransaction) {
        try {
            co_await card_->endTransaction();
        } catch (const Error&) {
            // The card went: its transaction went with it.
        }
    }
    co_await finishWork(failure);
}

Task<void> Wizard::setPin(card::AkisCard& card) {
    if (session_->operation == backend::Operation::Change) {
        pinWriting_ = true;
        co_await card.changePin(currentPin_, newPin_);
        co_return;
    }
    const std::string session = session_->id;
    const std::string serial = serial_;
    co_await card::setPinWithAuthorization(
        card, newPin_,
        [this, session, serial](const Bytes& challenge) -> Task<Bytes> {
            workPhase_ = phaseAuthorizing;
            state_.workPhase = WorkPhase::Authorizing;
            co_return co_await backend_.authorize(session, serial, challenge);
        },
        [this] { pinWriting_ = true; });
}

// The new PIN must verify once: VERIFY's 9000 also says the PIN has all its tries again
// (card-profile.md), so no PIN status follows. Optionally the card then signs and the signature
// is checked against its certificate.
Task<void> Wizard::checkNewPinOnCard(card::AkisCard& card) {
    co_await card.verifyPin(newPin_);
    if (!options_.selfTest) co_return;
    state_.workPhase = WorkPhase::SelfTest;
    if (!co_await card::signatureSelfTest(card, certificate_))
        throw WizardFailure({WizardError::SelfTestFailed});
}

Task<void> Wizard::finishWork(std::exception_ptr failure) {
    state_.workPhase = WorkPhase::Reporting;
    if (!failure) {
        co_await reportOutcome(backend::Outcome::Success, {});
        co_await releaseCard();
        endSession();
        setStep(Step::Done);
        co_return;
    }
    const MappedError mapped = mapError(failure);
    switch (recoveryOf(mapped.error)) {
    case Recovery::Stay:
    case Recovery::NewPin:
        // Nothing changed on the card (a wrong current PIN, the server out of reach before it
        // authorized): the session goes on, the PINs are typed again.
        apply(mapped, Step::NewPin);
        break;
    case Recovery::Reader:
        // The card work was cut short: the session is reported and over; the holder is told
        // what it left on the card, and the reinserted card shows it (PIN set, or as before),
        // never half a PIN.
        state_.interruption = interruptionAt(workPhase_, pinWriting_);
        co_await toReader(mapped, outcomeOf(mapped.error));
        break;
    case Recovery::Failed:
        co_await reportOutcome(outcomeOf(mapped.error), std::string(errorId(mapped.error)));
        co_await releaseCard();
        endSession();
        apply(mapped, Step::Failed);
        break;
    }
}

// Best effort: the audit log wants the outcome, but a lost report must not undo the card work.
Task<void> Wizard::reportOutcome(backend::Outcome outcome, std::string detail) {
    try {
        co_await backend_.reportOutcome(session_->id, outcome, std::move(detail));
    } catch (const Error&) {
    }
}

} // namespace kamusm::wizard
