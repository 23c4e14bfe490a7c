// The campaign's invariant checks against cards and audit logs broken on purpose: each broken
// invariant is named, and an untouched run passes.
#include "../src/cli/campaign/invariants.hpp"

#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::cli::campaign;

namespace {

RunPlan changePlan() {
    RunPlan plan;
    plan.config.operation = backend::Operation::Change;
    plan.newPin = "24681357";
    plan.wrongPin = "975318";
    return plan;
}

iso7816::CommandApdu apdu(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, std::string data) {
    return {0x00, ins, p1, p2, Bytes(data.begin(), data.end()), {}};
}

const iso7816::CommandApdu getChallenge{0x00, 0x84, 0x00, 0x00, {}, 16};

struct Run {
    RunPlan plan = changePlan();
    std::shared_ptr<sim::VirtualCard> card =
        sim::demoCard(sim::demoCardSetup(), sim::DemoPinState::Set);
    HolderReport holder{Ending::Done, 0, {}};
    std::vector<AuditRow> audit;

    std::vector<std::string> check(int wrongTries = 0, int otherTries = 0) const {
        return checkRun({plan, *card, holder, audit, wrongTries, otherTries, 0, 1});
    }
    // The new PIN on the card the way the wizard puts it there, then a reset.
    void changePin() {
        REQUIRE(card->process(apdu(0x24, 0x01, 0x81,
                                   "\x06"
                                   "123456"
                                   "\x08"
                                   "24681357"))
                    .ok());
        card->reset();
    }
    void log(std::string event, std::string detail = "{}") {
        audit.push_back({static_cast<std::int64_t>(audit.size() + 1), std::move(event), "s1",
                         std::move(detail)});
    }
};

bool names(const std::vector<std::string>& violations, std::string_view invariant) {
    for (const std::string& violation : violations)
        if (violation.starts_with(invariant)) return true;
    return false;
}

} // namespace

TEST_CASE("a change done as the log says keeps every invariant") {
    Run run;
    run.changePin();
    run.log("confirmed");
    run.log("outcome", R"({"result": "success", "detail": ""})");
    CHECK(run.check().empty());
}

TEST_CASE("a card left as it was, after a cut-short run, keeps every invariant") {
    Run run;
    run.holder.ending = Ending::Cancelled;
    run.log("outcome", R"({"result": "cancelled", "detail": "cancelled by the user"})");
    CHECK(run.check().empty());
}

TEST_CASE("each broken invariant is named") {
    SUBCASE("a PUK command") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.card->process(apdu(0x2C, 0x00, 0x81, "00000000246813"));
        const auto violations = run.check();
        CHECK(names(violations, "puk: the card saw"));
        CHECK(names(violations, "puk: the PUK counter"));
    }
    SUBCASE("a try consumed by a PIN the holder did not type") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.card->process(apdu(0x20, 0x00, 0x81, "000000"));
        CHECK(names(run.check(0, 1), "pin-tries"));
    }
    SUBCASE("the holder's wrong PIN may cost its try, and only as often as typed") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.card->process(apdu(0x20, 0x00, 0x81, "975318"));
        CHECK(names(run.check(1), "pin-tries")); // typed 0 times
        run.holder.wrongPinsTyped = 1;
        CHECK(run.check(1).empty());
    }
    SUBCASE("the holder's wrong PINs after the change count against the new PIN") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.changePin();
        run.log("confirmed");
        for (int i = 0; i < 3; ++i)
            run.card->process(apdu(0x20, 0x00, 0x81, "975318"));
        REQUIRE(run.card->pinState() == sim::PinState::Blocked);
        run.holder.wrongPinsTyped = 3;
        CHECK(run.check(3).empty());
        CHECK(names(run.check(2), "card-state: neither")); // a try nobody typed away
    }
    SUBCASE("a PIN between the old and the new") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        REQUIRE(run.card
                    ->process(apdu(0x24, 0x01, 0x81,
                                   "\x06"
                                   "123456"
                                   "\x06"
                                   "111333"))
                    .ok());
        run.card->reset();
        CHECK(names(run.check(), "card-state: neither"));
    }
    SUBCASE("done, without the new PIN") {
        Run run;
        CHECK(names(run.check(), "card-state: the app said done"));
    }
    SUBCASE("a wrong authorization") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        REQUIRE(run.card->process(getChallenge).ok());
        run.card->process(apdu(0x82, 0x00, 0x01, std::string(16, 'x')));
        CHECK(names(run.check(), "card-state: a wrong authorization"));
    }
    SUBCASE("a verified PIN left on the card") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        REQUIRE(run.card->process(apdu(0x20, 0x00, 0x81, "123456")).ok());
        CHECK(names(run.check(), "card-reset"));
    }
    SUBCASE("an audit log that says success for an unchanged card") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.log("outcome", R"({"result": "success", "detail": ""})");
        CHECK(names(run.check(), "audit: an outcome 'success'"));
    }
    SUBCASE("an audit log that says the PIN was set for an unchanged card") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.log("outcome", R"({"result": "card_removed", "detail": "pin_set"})");
        CHECK(names(run.check(), "audit: an outcome 'card_removed' after 'pin_set'"));
    }
    SUBCASE("a PIN changed with no confirmation in the log") {
        Run run;
        run.changePin();
        CHECK(names(run.check(), "audit: the PIN changed without a confirmation"));
    }
    SUBCASE("a PIN set by authorization with no cryptogram in the log") {
        Run run;
        run.plan.config.operation = backend::Operation::Create;
        run.card = sim::demoCard(sim::demoCardSetup(), sim::DemoPinState::NotSet);
        const Bytes key = sim::VirtualCard::deriveUnblockKey(run.card->setup().masterKey,
                                                             run.card->setup().serial);
        const Bytes challenge = run.card->process(getChallenge).data;
        const Bytes cryptogram =
            sim::VirtualCard::unblockCryptogram(key, challenge, run.card->setup().serial);
        REQUIRE(
            run.card->process(iso7816::CommandApdu{0x00, 0x82, 0x00, 0x01, cryptogram, {}}).ok());
        REQUIRE(run.card->process(apdu(0x2C, 0x02, 0x81, "24681357")).ok());
        CHECK(names(run.check(), "audit: the PIN was set without a cryptogram"));
        run.log("cryptogram_issued");
        CHECK(run.check().empty());
    }
    SUBCASE("two outcomes for one session") {
        Run run;
        run.holder.ending = Ending::GaveUp;
        run.log("outcome", R"({"result": "cancelled"})");
        run.log("outcome", R"({"result": "cancelled"})");
        CHECK(names(run.check(), "audit: two outcomes"));
    }
    SUBCASE("the app not at a usable step, a holder stuck, tasks and holders left") {
        Run run;
        run.changePin();
        run.log("confirmed");
        run.holder.ending = Ending::Stuck;
        run.holder.broken.push_back("the new PIN is kept after the holder's action");
        const auto violations = checkRun({run.plan, *run.card, run.holder, run.audit, 0, 0, 2, 3});
        CHECK(names(violations, "usable-step: the new PIN is kept"));
        CHECK(names(violations, "usable-step: the holder never"));
        CHECK(names(violations, "tasks: 2 left"));
        CHECK(names(violations, "leak: the card is still held by 2"));
    }
}
