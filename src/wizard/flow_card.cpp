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

Task<void> Wizard::useReader(usb::Device& device) {
    if (!accepts(Step::Reader)) co_return;
    touch();
    BusyScope busy(*this);
    clearError();
    dropCard();
    std::exception_ptr failure;
    try {
        co_await readCard(device);
        // After an interrupted operation the session is over: a new code comes next.
        if (session_)
            co_await checkCardWithBackend();
        else
            apply({WizardError::NewCodeNeeded}, Step::Code);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) co_await recover(failure);
}

Task<void> Wizard::readCard(usb::Device& device) {
    reader_ = co_await ccid::Reader::open(device);
    // The first slot with an AKIS card; another card elsewhere is only worth a message.
    WizardError none = WizardError::NoCard;
    for (std::uint8_t slot = 0; slot < reader_->slotCount() && !cardSession_; ++slot) {
        if (co_await reader_->slotStatus(slot) == ccid::IccStatus::Absent) continue;
        std::unique_ptr<ccid::CardSession> session = co_await reader_->connect(slot);
        if (card::isAkisCard(session->atr()))
            cardSession_ = std::move(session);
        else
            none = WizardError::NotKamusmCard;
    }
    if (!cardSession_) throw WizardFailure({none});

    card::AkisCard card(*cardSession_);
    serial_ = co_await card.readSerial();
    certificate_ = co_await card.readCertificate(card::Certificate::Signing);
    const card::CertificateInfo info = card::parseCertificate(certificate_);
    const card::PinStatus pin = co_await card.pinStatus();
    state_.card = CardSummary{serial_,        info.holderName, maskTckn(info.tckn), info.issuer,
                              info.notBefore, info.notAfter,   pin.state,           pin.triesLeft};
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

Task<void> Wizard::cardRemoved() {
    return lostCard(WizardError::CardRemoved);
}

Task<void> Wizard::readerUnplugged() {
    return lostCard(WizardError::ReaderUnplugged);
}

Task<void> Wizard::lostCard(WizardError error) {
    // Work under way sees the card go through its own failing commands; Done and Failed have
    // nothing left on the card.
    if (state_.busy || !cardSession_) co_return;
    if (state_.step == Step::Done || state_.step == Step::Failed) co_return;
    BusyScope busy(*this);
    co_await toReader({error}, std::nullopt);
}

Task<void> Wizard::recover(std::exception_ptr failure) {
    const MappedError mapped = mapError(failure);
    switch (recoveryOf(mapped.error)) {
    case Recovery::Stay:
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
    dropCard();
    if (outcome && session_) {
        co_await reportOutcome(*outcome, std::string(workPhase_));
        endSession();
    }
    apply(mapped, Step::Reader);
}

// Leaves no powered card with a verified PIN behind (kiosks).
Task<void> Wizard::releaseCard() {
    try {
        if (cardSession_) co_await cardSession_->powerOff();
        if (reader_) co_await reader_->close();
    } catch (const Error&) {
        // The card or reader is already gone: nothing left to release.
    }
    dropCard();
}

} // namespace kamusm::wizard
