// What the card, the reader and the network can refuse, and where each leaves the flow.
#include "wizard/wizard_harness.hpp"

#include "kamusm/backend/error.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

// The server out of reach for requests whose path ends with `failing`.
class FlakyHttp : public backend::HttpClient {
public:
    explicit FlakyHttp(FakeServer& server) : server_(server) {}
    Task<backend::HttpResponse> send(backend::HttpRequest request) override {
        const std::string& path = request.path;
        if (!failing.empty() && path.size() >= failing.size() &&
            path.compare(path.size() - failing.size(), failing.size(), failing) == 0)
            throw backend::Error(backend::ErrorCode::Network, "connection refused");
        co_return co_await server_.send(std::move(request));
    }
    std::string failing;

private:
    FakeServer& server_;
};

// The wizard past the environment step, its backend reached through FlakyHttp.
struct FlakyRig : HttpRig<FlakyHttp> {
    FlakyRig() { wizard.environmentChecked({true, true}); }
    auto parts() { return std::tie(server, http, card, reader, wizard); }
};

void toConfirm(Harness& h) {
    h.runToNewPin();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    REQUIRE(h.wizard.state().step == Step::Confirm);
}

} // namespace

TEST_CASE("the card refuses a cryptogram made with another master key") {
    Harness h(Operation::Unblock);
    blockPin(h.reader);
    h.server.masterKey = fromHex("FF0102030405060708090A0B0C0D0E0F");
    toConfirm(h);
    runSync(h.wizard.submitConfirmation(h.server.smsCode));
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "card_refused_authorization");
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "card_error");
    CHECK(h.card->pinState() == sim::PinState::Blocked);
    CHECK(h.card->pukCommandsSeen() == 0);
}

TEST_CASE("a card whose admin key is blocked takes no authorization") {
    sim::CardSetup setup = sim::demoCardSetup();
    setup.adminTries = 0;
    Harness h(Operation::Unblock, setup);
    toConfirm(h);
    runSync(h.wizard.submitConfirmation(h.server.smsCode));
    CHECK(h.wizard.state().step == Step::Failed);
    CHECK(h.wizard.errorCode() == "authorization_blocked");
    CHECK(h.card->pinState() == sim::PinState::Set);
    CHECK(pinVerifies(h.reader, "123456"));
}

TEST_CASE("a mute card is reported at the reader step") {
    Harness h(Operation::Unblock);
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.submitCode(h.server.code));
    h.reader.faults().muteCard = true;
    runSync(h.wizard.findCard());
    CHECK(h.wizard.state().step == Step::Reader);
    CHECK(h.wizard.errorCode() == "card_mute");
}

TEST_CASE("the server out of reach during the authorization: nothing changed, try again") {
    FlakyRig rig;
    auto [server, http, card, reader, wizard] = rig.parts();
    http.failing = "/sessions";
    runSync(wizard.submitCode(server.code));
    CHECK(wizard.state().step == Step::Code);
    CHECK(wizard.errorCode() == "network_error");
    http.failing.clear();
    runSync(wizard.submitCode(server.code));
    runSync(wizard.findCard());
    wizard.cardConfirmed();
    runSync(wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    http.failing = "/authorization";
    runSync(wizard.submitConfirmation(server.smsCode));
    CHECK(wizard.state().step == Step::NewPin);
    CHECK(wizard.errorCode() == "network_error");
    CHECK(card->pinState() == sim::PinState::Set);
    CHECK(card->pinTriesLeft() == 3);
    CHECK(server.outcomes.empty());

    // Confirmed already: the PINs typed again go straight to the card.
    http.failing.clear();
    runSync(wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    CHECK(wizard.state().step == Step::Done);
    CHECK(wizard.errorCode() == "");
    CHECK(server.smsSent == 1);
    CHECK(pinVerifies(reader, "24681357"));
}

TEST_CASE("cancel reports the session as cancelled and starts over") {
    Harness h(Operation::Unblock);
    toConfirm(h);
    runSync(h.wizard.cancel());
    CHECK(h.wizard.state().step == Step::Code);
    CHECK_FALSE(h.wizard.state().card);
    REQUIRE(h.server.outcomes.size() == 1);
    CHECK(h.server.outcomes[0].result == "cancelled");
    CHECK(h.card->pinState() == sim::PinState::Set);
}

TEST_CASE("events at the wrong step do nothing") {
    Harness h(Operation::Unblock);
    runSync(h.wizard.submitCode(h.server.code)); // still at Environment
    CHECK(h.wizard.state().step == Step::Environment);
    CHECK(h.server.paths.empty());
    h.wizard.environmentChecked({true, true});
    runSync(h.wizard.findCard());
    h.wizard.cardConfirmed();
    runSync(h.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    CHECK(h.wizard.state().step == Step::Code);
    CHECK(h.card->pinState() == sim::PinState::Set);
}

TEST_CASE("a rate-limited SMS shows how long to wait before asking again") {
    Harness h(Operation::Unblock);
    h.server.rateLimitedSms = 1;
    toConfirm(h);
    CHECK(h.wizard.errorCode() == "rate_limited");
    CHECK(h.wizard.state().retryAfterSeconds == 42);
    CHECK(h.wizard.state().smsResendSeconds == 42);
    CHECK_FALSE(h.wizard.state().smsSent);
    runSync(h.wizard.requestSms());
    CHECK(h.server.smsSent == 0);
    h.clock.advanceSeconds(42);
    h.wizard.tick();
    runSync(h.wizard.requestSms());
    CHECK(h.server.smsSent == 1);
    CHECK(h.wizard.errorCode() == "");
    runSync(h.wizard.submitConfirmation(h.server.smsCode));
    CHECK(h.wizard.state().step == Step::Done);
}

// Found by the fault campaign: the card read, then the server out of reach for its check, left
// the reader step holding the card and its certificate.
TEST_CASE("the server out of reach for the card check: the reader step holds no card") {
    FlakyRig rig;
    auto [server, http, card, reader, wizard] = rig.parts();
    runSync(wizard.submitCode(server.code));
    http.failing = "/card";
    runSync(wizard.findCard());
    CHECK(wizard.state().step == Step::Reader);
    CHECK(wizard.errorCode() == "network_error");
    CHECK_FALSE(wizard.state().card);
    CHECK_FALSE(wizard.holdings().card);
    http.failing.clear();
    runSync(wizard.findCard());
    CHECK(wizard.state().step == Step::Card);
    CHECK(wizard.holdings().card);
}
