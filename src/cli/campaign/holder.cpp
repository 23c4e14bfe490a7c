#include "holder.hpp"

#include "kamusm/sim/fixtures.hpp"

#include <array>

namespace kamusm::cli::campaign {

namespace {

using wizard::Step;
using wizard::WizardError;

// A holder's patience: actions in one run, and verification codes asked for.
constexpr int maxActions = 80;
constexpr int maxCodes = 5;
constexpr std::string_view demoPassword = "demo-parola"; // the demo holder's (interfaces.md)

// What each step may hold, so that nothing is wiped that must stay (the new PIN until the card
// work) and nothing kept that must go (PINs after the work, the card and session after the end).
enum class Held { No, Yes, Any, IfChange };

struct StepRule {
    Step step;
    Held currentPin, newPin, card, session;
};

constexpr std::array<StepRule, 9> stepRules{{
    {Step::Environment, Held::No, Held::No, Held::No, Held::No},
    {Step::Code, Held::No, Held::No, Held::Any, Held::No}, // a card read before a new code stays
    {Step::Reader, Held::No, Held::No, Held::No, Held::Any},
    {Step::Card, Held::No, Held::No, Held::Yes, Held::Yes},
    {Step::NewPin, Held::No, Held::No, Held::Yes, Held::Yes},
    {Step::Confirm, Held::IfChange, Held::Yes, Held::Yes, Held::Yes},
    {Step::Working, Held::Any, Held::Any, Held::Any, Held::Any}, // never seen between events
    {Step::Done, Held::No, Held::No, Held::No, Held::No},
    {Step::Failed, Held::No, Held::No, Held::No, Held::No},
}};
static_assert(stepRules.size() == static_cast<std::size_t>(Step::Failed) + 1,
              "a rule for every step");

bool fits(Held rule, bool held, bool change) {
    switch (rule) {
    case Held::No:
        return !held;
    case Held::Yes:
        return held;
    case Held::IfChange:
        return held == change;
    case Held::Any:
        break;
    }
    return true;
}

// The steps an error's recovery may leave the app at.
bool recoveryFits(WizardError error, Step step) {
    switch (wizard::recoveryOf(error)) {
    case wizard::Recovery::Stay:
        return true;
    case wizard::Recovery::Reader:
        return step == Step::Reader;
    case wizard::Recovery::NewPin:
        return step == Step::NewPin;
    case wizard::Recovery::Failed:
        return step == Step::Failed;
    }
    return false;
}

// Failures after which another try of the same operation cannot help.
bool final(WizardError error) {
    return error == WizardError::PinBlocked || error == WizardError::PinNotSet ||
           error == WizardError::AuthorizationBlocked;
}

bool transient(std::optional<WizardError> error) {
    return error == WizardError::NetworkError || error == WizardError::ServerError ||
           error == WizardError::RateLimited;
}

} // namespace

std::string_view endingId(Ending ending) {
    constexpr std::array<std::pair<Ending, std::string_view>, 5> ids{{
        {Ending::Done, "done"},
        {Ending::GaveUp, "gave-up"},
        {Ending::Cancelled, "cancelled"},
        {Ending::UnknownPin, "unknown-pin"},
        {Ending::Stuck, "stuck"},
    }};
    for (const auto& [value, id] : ids)
        if (value == ending) return id;
    return "?";
}

Holder::Holder(const RunPlan& plan, wizard::Wizard& wizard, CardRig& rig, Desk desk,
               ManualClock& clock, FaultSchedule& schedule)
    : plan_(plan), wizard_(wizard), rig_(rig), desk_(desk), clock_(clock), schedule_(schedule) {}

HolderReport Holder::run() {
    report_.ending = Ending::Stuck;
    for (int action = 0; action < maxActions; ++action) {
        if (const auto ending = turn()) {
            report_.ending = *ending;
            break;
        }
    }
    return report_;
}

// A look at the readers, then the holder's faults due now, then what the holder does next.
std::optional<Ending> Holder::turn() {
    look();
    if (auto ending = finished()) return ending;
    for (const PlannedFault& planned : schedule_.strike(Channel::Holder))
        if (auto ending = meet(planned)) return ending;
    if (auto ending = act()) return ending;
    check("after the holder's action");
    return std::nullopt;
}

// The platform passes on what the readers did, and the clock ticks.
void Holder::look() {
    for (const reader::Event& event : rig_.watch())
        runSync(wizard_.readerEvent(event));
    while (auto pending = wizard_.takePendingEvent())
        runSync(wizard_.readerEvent(*pending));
    wizard_.tick();
    check("after the platform's look");
}

void Holder::check(const char* when) {
    const wizard::WizardState& state = wizard_.state();
    const auto broken = [&](const std::string& what) {
        report_.broken.push_back(what + " " + when + " (step " +
                                 std::string(wizard::stepId(state.step)) + ", error '" +
                                 std::string(wizard_.errorCode()) + "')");
    };
    if (state.busy) broken("the app is still busy");
    if (state.step == Step::Working) broken("the app stays at the working step");
    if (state.error == WizardError::InternalError) broken("an untyped error reached the holder");
    if (state.error && !recoveryFits(*state.error, state.step))
        broken("the error's recovery does not lead to this step");
    const StepRule& rule = stepRules[static_cast<std::size_t>(state.step)];
    const wizard::Holdings held = wizard_.holdings();
    const bool change = plan_.config.operation == backend::Operation::Change;
    if (!fits(rule.currentPin, held.currentPin, change))
        broken(held.currentPin ? "the current PIN is kept" : "the current PIN is gone");
    if (!fits(rule.newPin, held.newPin, change))
        broken(held.newPin ? "the new PIN is kept" : "the new PIN is gone");
    if (!fits(rule.card, held.card, change))
        broken(held.card ? "the card is kept" : "the card is gone");
    if (!fits(rule.session, held.session, change))
        broken(held.session ? "the session is kept" : "the session is gone");
}

std::optional<Ending> Holder::finished() {
    const wizard::WizardState& state = wizard_.state();
    // What the app said a cut-short card work left on the card.
    if (state.interruption == wizard::Interruption::PinSet) currentPin_ = plan_.newPin;
    if (state.interruption == wizard::Interruption::PinMaybeSet &&
        plan_.config.operation == backend::Operation::Change)
        return Ending::UnknownPin;
    if (state.step == Step::Done) return Ending::Done;
    if (state.step != Step::Failed) return std::nullopt;
    if (state.error && final(*state.error)) return Ending::GaveUp;
    if (codes_ >= maxCodes) return Ending::Stuck;
    wizard_.restart(); // another try with a new code
    return std::nullopt;
}

std::optional<Ending> Holder::meet(const PlannedFault& planned) {
    switch (planned.fault) {
    case Fault::UserIdle:
        idle(planned.variant);
        break;
    case Fault::UserCancel:
        runSync(wizard_.cancel());
        check("after cancelling");
        return Ending::Cancelled;
    case Fault::WrongPin:
        wrongPinsDue_ =
            1 + static_cast<int>(planned.variant %
                                 (plan_.config.operation == backend::Operation::Change ? 3 : 2));
        break;
    default:
        break;
    }
    return std::nullopt;
}

// Away long enough for the warning (then back: "Devam ediyorum"), or for the reset.
void Holder::idle(std::uint32_t variant) {
    const wizard::WizardOptions options;
    const bool reset = variant % 2 == 1;
    clock_.advanceSeconds(reset ? options.idleTimeoutSeconds + 1
                                : options.idleTimeoutSeconds - options.idleWarningSeconds + 1);
    wizard_.tick();
    check(reset ? "after the idle reset" : "after the idle warning");
    if (!reset) wizard_.stillHere();
}

std::optional<Ending> Holder::act() {
    const wizard::WizardState& state = wizard_.state();
    switch (state.step) {
    case Step::Environment:
        wizard_.environmentChecked({true, true, true});
        break;
    case Step::Code:
        if (!freshCode()) return Ending::Stuck;
        break;
    case Step::Reader:
        // The app says the card or reader went: the holder puts them back, and the app reads
        // the card when it is seen (else the holder asks it to look again).
        if (rig_.repair()) look();
        if (wizard_.state().step == Step::Reader) runSync(wizard_.findCard());
        break;
    case Step::Card:
        if (state.cardChoices.empty())
            wizard_.cardConfirmed();
        else
            runSync(wizard_.chooseCard(0));
        break;
    case Step::NewPin:
        enterPins();
        break;
    case Step::Confirm:
        confirm();
        break;
    case Step::Working:
    case Step::Done:
    case Step::Failed:
        break;
    }
    return std::nullopt;
}

// The same code again after a transient failure; a new one from the page otherwise.
bool Holder::freshCode() {
    const bool retry = transient(wizard_.state().error) && !code_.empty();
    if (!retry) {
        if (codes_ >= maxCodes) return false;
        ++codes_;
        code_ = runSync(desk_.demo.demoVerificationCode(std::string(sim::demoTckn),
                                                        plan_.config.operation,
                                                        plan_.config.confirmation))
                    .code;
    }
    smsFloor_ = desk_.store.lastSmsId();
    runSync(wizard_.submitCode(code_));
    return true;
}

void Holder::enterPins() {
    const bool change = plan_.config.operation == backend::Operation::Change;
    const bool wrong = wrongPinsDue_ > 0;
    if (wrong) --wrongPinsDue_;
    if (wrong && change) ++report_.wrongPinsTyped;
    const std::string& current = change ? (wrong ? plan_.wrongPin : currentPin_) : std::string();
    const std::string& repeat = wrong && !change ? plan_.wrongPin : plan_.newPin;
    runSync(wizard_.submitNewPin(card::Pin(current), card::Pin(plan_.newPin), card::Pin(repeat)));
}

// The SMS code from the phone (the newest of this session), after asking for one when none
// came; or the web password.
void Holder::confirm() {
    if (plan_.config.confirmation == backend::Confirmation::Password) {
        runSync(wizard_.submitConfirmation(std::string(demoPassword)));
        return;
    }
    std::optional<Sms> sms = desk_.store.newestSmsAfter(smsFloor_);
    if (!sms || wizard_.state().error == WizardError::OtpExpired) {
        if (wizard_.state().smsResendSeconds > 0) return;
        const std::int64_t before = desk_.store.lastSmsId();
        runSync(wizard_.requestSms());
        sms = desk_.store.newestSmsAfter(before);
        if (!sms) return; // none came: ask again next time
    }
    runSync(wizard_.submitConfirmation(sms->code));
}

} // namespace kamusm::cli::campaign
