#include "invariants.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace kamusm::cli::campaign {

namespace {

constexpr std::string_view demoPin = "123456"; // the demo card's PIN before the operation
constexpr int fullTries = 3;
constexpr int adminTries = 10; // sim::CardSetup's, untouched unless a wrong cryptogram came

ByteView bytesOf(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The card as the operation found it, or with the new PIN fully set: never anything between.
enum class CardState { Old, New, Between };

// Every try the card counted came from the holder's wrong PIN (checked apart): those are the
// only tries the PIN in force, old or new, may be short of.
CardState stateOf(const RunFacts& facts) {
    const sim::VirtualCard& card = facts.card;
    const bool triesExplained = card.pinTriesLeft() >= fullTries - facts.wrongTriesConsumed;
    if (card.holdsPin(bytesOf(facts.plan.newPin)) && triesExplained) return CardState::New;
    switch (facts.plan.config.operation) {
    case backend::Operation::Create:
        if (card.pinState() == sim::PinState::NotSet) return CardState::Old;
        break;
    case backend::Operation::Change:
        if (card.holdsPin(bytesOf(demoPin)) && triesExplained) return CardState::Old;
        break;
    case backend::Operation::Unblock:
        if (card.pinState() == sim::PinState::Blocked && card.holdsPin(bytesOf(demoPin)))
            return CardState::Old;
        break;
    }
    return CardState::Between;
}

std::string text(const nlohmann::json& detail, const char* key) {
    return detail.contains(key) && detail[key].is_string() ? detail[key].get<std::string>() : "";
}

// The server's audit log against what happened on the card.
void checkAudit(const RunFacts& facts, CardState state, std::vector<std::string>& broken) {
    bool cryptogram = false, confirmed = false;
    std::set<std::string> reported;
    for (const AuditRow& row : facts.audit) {
        cryptogram =
            cryptogram || row.event == "cryptogram_issued" || row.event == "cryptogram_reissued";
        confirmed = confirmed || row.event == "confirmed";
        if (row.event != "outcome") continue;
        if (!reported.insert(row.session).second)
            broken.push_back("audit: two outcomes for one session");
        const nlohmann::json detail = nlohmann::json::parse(row.detail, nullptr, false);
        const std::string result = text(detail, "result"), phase = text(detail, "detail");
        if (result == "success" && state != CardState::New)
            broken.push_back("audit: an outcome 'success' for a card without the new PIN");
        if ((phase == "pin_set" || phase == "pin_checked") && state != CardState::New)
            broken.push_back("audit: an outcome '" + result + "' after '" + phase +
                             "' for a card without the new PIN");
    }
    if (state != CardState::New) return;
    const bool authorized =
        facts.plan.config.operation == backend::Operation::Change ? confirmed : cryptogram;
    if (!authorized)
        broken.push_back(facts.plan.config.operation == backend::Operation::Change
                             ? "audit: the PIN changed without a confirmation in the log"
                             : "audit: the PIN was set without a cryptogram in the log");
}

} // namespace

std::vector<std::string> checkRun(const RunFacts& facts) {
    std::vector<std::string> broken;
    const sim::VirtualCard& card = facts.card;
    if (facts.otherTriesConsumed > 0)
        broken.push_back("pin-tries: " + std::to_string(facts.otherTriesConsumed) +
                         " tries consumed by a PIN the holder did not type wrong");
    if (facts.wrongTriesConsumed > facts.holder.wrongPinsTyped)
        broken.push_back("pin-tries: more tries consumed than wrong PINs typed");
    if (card.pukCommandsSeen() != 0) broken.push_back("puk: the card saw a PUK command");
    if (card.pukTriesLeft() != fullTries) broken.push_back("puk: the PUK counter changed");
    if (card.adminTriesLeft() != adminTries)
        broken.push_back("card-state: a wrong authorization cost an admin key try");
    const CardState state = stateOf(facts);
    if (state == CardState::Between)
        broken.push_back("card-state: neither the old state nor the new PIN (state " +
                         std::to_string(static_cast<int>(card.pinState())) + ", tries " +
                         std::to_string(card.pinTriesLeft()) + ")");
    if (facts.holder.ending == Ending::Done &&
        (state != CardState::New || card.pinTriesLeft() != fullTries))
        broken.push_back("card-state: the app said done, the card has no new PIN");
    if (card.pinVerified()) broken.push_back("card-reset: the card was left with its PIN verified");
    checkAudit(facts, state, broken);
    for (const std::string& step : facts.holder.broken)
        broken.push_back("usable-step: " + step);
    if (facts.holder.ending == Ending::Stuck)
        broken.push_back("usable-step: the holder never got the operation done");
    if (facts.tasksLeft != 0)
        broken.push_back("tasks: " + std::to_string(facts.tasksLeft) + " left after close");
    if (facts.cardHolders != 1)
        broken.push_back("leak: the card is still held by " +
                         std::to_string(facts.cardHolders - 1) + " objects");
    return broken;
}

} // namespace kamusm::cli::campaign
