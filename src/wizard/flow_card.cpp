// The reader and card steps: open the reader, find and read the AKIS card, check it with the
// backend, and what happens when it goes away or anything fails.
#include "kamusm/wizard/wizard.hpp"

#include "kamusm/card/certificate.hpp"
#include "kamusm/ccid/reader.hpp"

namespace kamusm::wizard {

namespace {

// "10000000146" → "100******46", as the backend masks the session holder's.
std::string maskTckn(const std::string& tckn) {
    if (tckn.size() < 5) return std::string(tckn.size(), '*');
    return tckn.substr(0, 3) + std::string(tckn.size() - 5, '*') + tckn.substr(tckn.size() - 2);
}

} // namespace

Task<void> Wizard::findCard() {
    if (!accepts(Step::Reader)) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    std::exception_ptr failure;
    try {
        co_await releaseCard(); // a fresh look: cards from before are reset and read again
        co_await readers_.refresh();
        state_.transport = readers_.transport();
        // Every slot with a KamuSM card; other cards, and slots that fail, only shape the
        // message when no KamuSM card is found.
        std::exception_ptr slotFailure;
        bool otherCard = false;
        // A copy: the owner's watch may look at the slots again while a card is read.
        const std::vector<reader::Slot> slots = readers_.slots();
        for (const reader::Slot& slot : slots) {
            if (!slot.cardPresent) continue;
            try {
                FoundCard found = co_await readCard(slot.name);
                if (found.card)
                    found_.push_back(std::move(found));
                else
                    otherCard = true;
            } catch (...) {
                slotFailure = std::current_exception();
            }
        }
        if (found_.empty() && slotFailure) std::rethrow_exception(slotFailure);
        if (found_.empty())
            throw WizardFailure({otherCard ? WizardError::NotKamusmCard : WizardError::NoCard});
        if (found_.size() == 1) {
            co_await select(0);
        } else {
            for (const FoundCard& found : found_)
                state_.cardChoices.push_back(found.summary);
            setStep(Step::Card);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) co_await recover(failure);
}

Task<void> Wizard::chooseCard(std::size_t index) {
    if (!accepts(Step::Card) || index >= found_.size()) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    std::exception_ptr failure;
    try {
        co_await select(index);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) co_await recover(failure);
}

// The card in `slot`, read when it is a KamuSM card (else no card, and it is let go).
Task<Wizard::FoundCard> Wizard::readCard(const std::string& slot) {
    FoundCard found;
    std::shared_ptr<reader::Card> card = co_await readers_.connect(slot);
    if (!card::isAkisCard(card->atr())) {
        co_await readers_.release(slot);
        co_return found;
    }
    card::AkisCard akis(*card);
    const std::string serial = co_await akis.readSerial();
    found.certificate = co_await akis.readCertificate(card::Certificate::Signing);
    const card::CertificateInfo info = card::parseCertificate(found.certificate);
    const card::PinStatus pin = co_await akis.pinStatus();
    found.summary = CardSummary{slot,         serial,         info.holderName, maskTckn(info.tckn),
                                info.issuer,  info.notBefore, info.notAfter,   pin.state,
                                pin.triesLeft};
    found.card = std::move(card);
    co_return found;
}

// The card the operation is for; the others are let go. After an interrupted operation the
// session is over: a new code comes next.
Task<void> Wizard::select(std::size_t index) {
    FoundCard chosen = std::move(found_[index]);
    found_.erase(found_.begin() + static_cast<std::ptrdiff_t>(index));
    for (const FoundCard& other : found_)
        co_await readers_.release(other.summary.slot);
    found_.clear();
    state_.cardChoices.clear();
    card_ = std::move(chosen.card);
    slot_ = chosen.summary.slot;
    serial_ = chosen.summary.serial;
    certificate_ = std::move(chosen.certificate);
    state_.card = std::move(chosen.summary);
    if (!session_) {
        apply({WizardError::NewCodeNeeded}, Step::Code);
        co_return;
    }
    co_await checkCardWithBackend();
}

// The backend checks issuer, holder and enrolment; the wizard checks that the operation suits
// the PIN's state (a change needs a PIN that is set and not blocked).
Task<void> Wizard::checkCardWithBackend() {
    co_await backend_.checkCard(session_->id, serial_, certificate_);
    cardChecked_ = true;
    if (session_->operation == backend::Operation::Change) {
        const card::PinState pin = state_.card->pinState;
        std::optional<WizardError> wrongState;
        if (pin == card::PinState::Blocked) wrongState = WizardError::PinBlocked;
        if (pin == card::PinState::NotSet) wrongState = WizardError::PinNotSet;
        if (wrongState) {
            co_await reportOutcome(backend::Outcome::WrongState, std::string(errorId(*wrongState)));
            throw WizardFailure({*wrongState});
        }
    }
    setStep(Step::Card);
}

// Which owner events matter to the flow, and what they mean for it.
Task<void> Wizard::readerEvent(reader::Event event) {
    if (state_.busy) {
        // Card work under way sees the card go through its own failing commands; the server
        // work must finish before the flow can move.
        pendingEvent_ = event;
        co_return;
    }
    switch (event.kind) {
    case reader::EventKind::CardInserted:
    case reader::EventKind::ReaderAdded:
        if (state_.step == Step::Reader) co_await findCard();
        break;
    case reader::EventKind::CardRemoved:
        if (event.slot == slot_)
            co_await cardRemoved();
        else if (state_.step == Step::Card && !state_.cardChoices.empty())
            co_await findAgain();
        break;
    case reader::EventKind::ReaderLost:
    case reader::EventKind::ReaderRemoved:
        if (event.slot == slot_) co_await readerUnplugged();
        break;
    }
}

// One of several cards left while the holder was choosing: the list is made again.
Task<void> Wizard::findAgain() {
    setStep(Step::Reader);
    co_await findCard();
}

std::optional<reader::Event> Wizard::takePendingEvent() {
    if (state_.busy) return std::nullopt;
    return std::exchange(pendingEvent_, std::nullopt);
}

Task<void> Wizard::cardRemoved() {
    return lostCard(WizardError::CardRemoved);
}

Task<void> Wizard::readerUnplugged() {
    // The transport failing as a whole (the PC/SC service, the desktop helper) says more than
    // an unplugged reader.
    const std::exception_ptr why = readers_.watchFailure();
    return lostCard(why ? mapError(why).error : WizardError::ReaderUnplugged);
}

Task<void> Wizard::lostCard(WizardError error) {
    // Work under way sees the card go through its own failing commands; Done and Failed have
    // nothing left on the card.
    if (state_.busy || !card_) co_return;
    if (state_.step == Step::Done || state_.step == Step::Failed) co_return;
    BusyScope busy(*this);
    co_await toReader({error}, std::nullopt);
}

Task<void> Wizard::recover(std::exception_ptr failure) {
    const MappedError mapped = mapError(failure);
    switch (recoveryOf(mapped.error)) {
    case Recovery::Stay:
        // The reader step holds no card: one read before the failure (the server could not
        // check it) is let go, and the next look reads it afresh.
        if (state_.step == Step::Reader) co_await releaseCard();
        apply(mapped, state_.step);
        break;
    case Recovery::NewPin:
        wipePins();
        apply(mapped, Step::NewPin);
        break;
    case Recovery::Reader:
        co_await toReader(mapped, std::nullopt);
        break;
    case Recovery::Failed:
        wipePins();
        co_await releaseCard();
        endSession();
        apply(mapped, Step::Failed);
        break;
    }
}

Task<void> Wizard::toReader(MappedError mapped, std::optional<backend::Outcome> outcome) {
    wipePins();
    co_await releaseCard();
    if (outcome && session_) {
        co_await reportOutcome(*outcome, std::string(workPhase_));
        endSession();
    }
    if (options_.endOnRemoval && isRemoval(mapped.error)) {
        co_await endAfterRemoval(mapped);
        co_return;
    }
    apply(mapped, Step::Reader);
}

Task<void> Wizard::endAfterRemoval(MappedError mapped) {
    if (session_) {
        co_await reportOutcome(backend::Outcome::Cancelled, "card or reader removed at a kiosk");
        endSession();
    }
    const std::optional<Interruption> interruption = state_.interruption;
    resetAll();
    state_.interruption = interruption;
    state_.error = mapped.error;
}

// Leaves no card with a verified PIN behind (kiosks): the owner resets every card the wizard
// connected, also one that failed, so that the next look powers it afresh.
Task<void> Wizard::releaseCard() {
    dropCard();
    co_await readers_.releaseAll();
}

} // namespace kamusm::wizard
