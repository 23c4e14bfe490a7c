// The whole PIN flow (create, change, unblock) as UI-free logic: the steps of interfaces.md, the
// card and backend work behind them, timers and error mapping. The browser UI and pinctl only
// call the event methods and draw state(); nothing here blocks, sleeps or spawns threads.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/card/akis.hpp"
#include "kamusm/card/pin.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/wizard/environment.hpp"
#include "kamusm/wizard/errors.hpp"
#include "kamusm/wizard/pin_policy.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm::wizard {

enum class Step { Environment, Code, Reader, Card, NewPin, Confirm, Working, Done, Failed };
inline constexpr int stepCount = static_cast<int>(Step::Failed) + 1;

// The ids of interfaces.md ("environment", "code", … "failed").
std::string_view stepId(Step step);

// Time as the platform knows it (performance.now() in the browser, steady_clock natively).
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t nowMilliseconds() = 0;
};

struct WizardOptions {
    int idleTimeoutSeconds = 120; // no user event this long: back to the start, all wiped
    int idleWarningSeconds = 30;  // warn this long before (WCAG 2.2.1: stillHere() extends)
    bool selfTest = true;         // sign and verify once after the PIN is set
    // Kiosks: the holder may walk away with the card, and the next person must find nothing.
    bool endOnRemoval = false;    // a card or reader gone ends the session, everything wiped
    int finishedResetSeconds = 0; // Done / Failed go back to the start after this long (0: no)
};

// What a card taken out (or its reader unplugged) during the card work left on it.
enum class Interruption {
    PinUnchanged, // gone before the PIN was written: the card is as it was
    PinMaybeSet,  // gone while the card wrote the PIN: reading it again tells
    PinSet,       // gone after the new PIN was written and checked
};

// How far the Working step's card work has got, for the progress shown in words.
enum class WorkPhase {
    None,
    SettingPin,  // change: VERIFY + CHANGE; create/unblock: GET CHALLENGE, then authorization
    Authorizing, // the server computes the card's authorization
    CheckingPin, // the new PIN is verified on the card
    SelfTest,    // the card signs once and the signature is checked
    Reporting,   // the outcome goes to the server's audit log
};

// The card as the Card step shows it.
struct CardSummary {
    std::string slot; // the reader (and slot) it is in
    std::string serial;
    std::string holderName;
    std::string tcknMasked; // "100******46"
    std::string issuer;
    std::string notBefore, notAfter; // "YYYY-MM-DD"
    card::PinState pinState = card::PinState::Set;
    int pinTriesLeft = 0;
};

struct WizardState {
    Step step = Step::Environment;
    std::optional<WizardError> error;
    std::optional<PinProblem> pinProblem; // with WizardError::PinPolicy
    std::optional<int> triesLeft;         // wrong current PIN / OTP / password: what remains
    std::optional<int> retryAfterSeconds; // with RateLimited
    std::optional<backend::Operation> operation;
    std::optional<backend::Confirmation> confirmation;
    std::string holderName;             // from the session
    std::optional<int> holderBirthYear; // from the session, when the server knows it (PIN rule)
    std::optional<CardSummary> card;
    // Several KamuSM cards at once: the Card step lists them until the holder picks one.
    std::vector<CardSummary> cardChoices;
    std::optional<reader::TransportKind> transport; // how the app reaches the card
    std::optional<Interruption> interruption;       // with CardRemoved / ReaderUnplugged
    bool needsCurrentPin = false;                   // a change asks for the current PIN
    std::optional<int> sessionSecondsLeft;          // code/session expiry countdown
    bool smsSent = false;
    std::string smsSentTo;    // masked phone number
    int smsResendSeconds = 0; // 0: a new SMS may be requested
    bool idleWarning = false;
    int idleSecondsLeft = 0;               // meaningful while idleWarning
    bool busy = false;                     // an event's card or server work is under way
    WorkPhase workPhase = WorkPhase::None; // meaningful at Working
};

// What the wizard holds at a moment: the fault campaign (pinctl campaign) checks it against what
// each step needs, so that nothing is wiped that must stay and nothing kept that must go.
struct Holdings {
    bool currentPin = false; // a typed PIN not wiped yet
    bool newPin = false;
    bool card = false;    // a card read for the operation (or several to choose from)
    bool session = false; // an open session with the backend
};

class Wizard {
public:
    // The readers come from `readers`, whose transport the platform picked.
    Wizard(backend::BackendClient& backend, Clock& clock, reader::Owner& readers,
           WizardOptions options = {});
    ~Wizard();
    Wizard(const Wizard&) = delete;
    Wizard& operator=(const Wizard&) = delete;

    const WizardState& state() const { return state_; }
    // The error's snake_case id for window.kamusmPin.state().error, or "" when none.
    std::string_view errorCode() const;
    Holdings holdings() const;

    // Each event is ignored at a step where it does not belong and while another one's work is
    // under way; failures never escape, they land in state().error. Tasks may suspend (WebUSB,
    // fetch); the Wizard must outlive them.
    void environmentChecked(EnvironmentReport report);
    Task<void> submitCode(std::string code);
    // At the Reader step: looks at the owner's readers for KamuSM cards and reads them.
    Task<void> findCard();
    // At the Card step with several cards: the one the holder picked (cardChoices index).
    Task<void> chooseCard(std::size_t index);
    void cardConfirmed();
    // `current` is only read for a change. The PINs are kept only until the card work ends.
    Task<void> submitNewPin(card::Pin current, card::Pin newPin, card::Pin repeat);
    Task<void> requestSms();
    Task<void> submitConfirmation(std::string codeOrPassword);
    // What the reader owner saw: a card put in at the Reader step is read; the card in use
    // going away (or its reader) sends the holder back to the Reader step. An event that comes
    // while other work is under way is kept until takePendingEvent().
    Task<void> readerEvent(reader::Event event);
    std::optional<reader::Event> takePendingEvent();
    Task<void> cardRemoved();
    Task<void> readerUnplugged();
    void tick();
    void stillHere();
    // Ends the session (reported as cancelled) and starts over.
    Task<void> cancel();
    // From Done or Failed: back to the code entry for another operation.
    void restart();

private:
    // Marks an event's work as under way, so that no other event interleaves with it.
    class BusyScope {
    public:
        explicit BusyScope(Wizard& wizard) : wizard_(wizard) { wizard_.state_.busy = true; }
        ~BusyScope() { wizard_.state_.busy = false; }
        BusyScope(const BusyScope&) = delete;
        BusyScope& operator=(const BusyScope&) = delete;

    private:
        Wizard& wizard_;
    };

    struct FoundCard {
        std::shared_ptr<reader::Card> card;
        CardSummary summary;
        Bytes certificate;
    };
    Task<FoundCard> readCard(const std::string& slot);
    Task<void> select(std::size_t index);
    Task<void> findAgain();
    Task<void> checkCardWithBackend();
    Task<void> sendSms();
    Task<void> runWork();
    Task<void> setPin(card::AkisCard& card);
    Task<void> checkNewPinOnCard(card::AkisCard& card);
    Task<void> finishWork(std::exception_ptr failure);
    Task<void> reportOutcome(backend::Outcome outcome, std::string detail);
    // Maps a failure of an event and moves to the step its Recovery names.
    Task<void> recover(std::exception_ptr failure);
    // Back to the Reader step; with an outcome, the session is reported and over.
    Task<void> toReader(MappedError mapped, std::optional<backend::Outcome> outcome);
    Task<void> releaseCard(); // reset the card and let it go (Done, Failed, cancel)
    Task<void> lostCard(WizardError error);
    // Kiosks (endOnRemoval): the session reported as cancelled and everything wiped, back at
    // the start with what happened (and what it left on the card) said.
    Task<void> endAfterRemoval(MappedError mapped);

    void apply(const MappedError& mapped, Step step);
    void setStep(Step step);
    void clearError();
    void touch();
    void wipePins();
    void dropCard();
    void endSession();
    void resetAll();
    void updateTimers(std::int64_t now);
    bool accepts(Step step) const;
    std::int64_t now() { return clock_.nowMilliseconds(); }

    backend::BackendClient& backend_;
    Clock& clock_;
    reader::Owner& readers_;
    WizardOptions options_;
    WizardState state_;

    std::optional<backend::Session> session_;
    std::int64_t sessionDeadline_ = 0; // ms
    std::int64_t smsResendAt_ = 0;     // ms
    std::int64_t lastActivity_ = 0;    // ms
    std::int64_t finishedAt_ = 0;      // ms: when Done or Failed was reached
    bool confirmed_ = false;
    bool cardChecked_ = false;
    std::shared_ptr<reader::Card> card_; // the card the operation is for
    std::string slot_;
    Bytes certificate_;
    std::string serial_;
    std::vector<FoundCard> found_; // several cards read, until the holder picks one
    std::optional<reader::Event> pendingEvent_;

    card::Pin currentPin_, newPin_;
    // Where the card work stands, for the outcome's detail when it is cut short.
    std::string_view workPhase_;
    bool pinWriting_ = false; // the command that writes the PIN may have reached the card
};

} // namespace kamusm::wizard
