// A wizard under test: a virtual reader and card, an in-memory backend that answers the PIN API's
// JSON (src/server/openapi.yaml) with the reference cryptogram, and a clock the test moves.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"
#include "kamusm/usb/forwarding_device.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kamusm::wizard::test {

class FakeClock : public Clock {
public:
    std::int64_t nowMilliseconds() override { return now; }
    void advanceSeconds(int seconds) { now += std::int64_t{seconds} * 1000; }
    std::int64_t now = 1'000'000;
};

struct ReportedOutcome {
    std::string result;
    std::string detail;
};

// The server's session logic for one holder and one verification code.
class FakeServer : public backend::HttpClient {
public:
    Task<backend::HttpResponse> send(backend::HttpRequest request) override;
    // The online-operations page issues another code: a fresh session.
    void issueCode(std::string newCode);

    std::string holderTckn{sim::demoTckn};
    std::string code = "123451234512345";
    backend::Operation operation = backend::Operation::Unblock;
    backend::Confirmation confirmation = backend::Confirmation::Sms;
    std::string smsCode = "482913";
    std::string password = "demo-parola";
    Bytes masterKey = fromHex("000102030405060708090A0B0C0D0E0F");
    int sessionLifetime = 600;
    bool codeExpired = false; // the page's 300 s are over
    int rateLimitedSms = 0;   // the next n SMS requests are refused with retry_after 42

    // What the client did.
    std::vector<std::string> paths;
    std::vector<ReportedOutcome> outcomes;
    int smsSent = 0;
    bool authorized = false;
    // Called when the cryptogram is issued (a test pulls the card there).
    std::function<void()> onAuthorize;

private:
    backend::HttpResponse handle(const backend::HttpRequest& request);

    bool codeUsed_ = false;
    bool outcomeReported_ = false;
    std::string checkedSerial_;
    bool confirmed_ = false;
    int triesLeft_ = 3;
};

// Passes every call to a device the test keeps, so that the reader owner can hold it.
using usb::ForwardingDevice;

// Makes `device` the only reader `owner` holds; `trace` sees what the CCID stack sends.
void plug(reader::Owner& owner, usb::Device& device, ccid::Trace* trace = nullptr);

// The session id the fake server hands out.
inline constexpr std::string_view fakeSessionId = "5e55105e55105e55105e55105e55105e";

struct Harness {
    explicit Harness(backend::Operation operation, sim::CardSetup setup = sim::demoCardSetup(),
                     sim::ReaderModel model = sim::ReaderModel::Acr39u, WizardOptions options = {});

    // Makes `device` the only reader the wizard's owner holds (the harness's own at the start).
    void plug(usb::Device& device, ccid::Trace* trace = nullptr);
    // Environment → Code → Reader → Card → NewPin, checking each step on the way.
    void runToNewPin();
    // NewPin → Confirm (SMS sent) → Working → Done with the right SMS code.
    void finishWith(const std::string& newPin, const std::string& currentPin = {});

    FakeClock clock;
    FakeServer server;
    backend::BackendClient client{server};
    std::shared_ptr<sim::VirtualCard> card;
    sim::VirtualReader reader;
    reader::Owner owner;
    Wizard wizard;
};

// The wizard on the demo card in an ACR39U, its backend reached through `Http`, an
// HttpClient over the fake server that the test controls (refusing, holding requests …).
template <class Http> struct HttpRig {
    HttpRig() { plug(owner, reader); }

    FakeClock clock;
    FakeServer server;
    Http http{server};
    backend::BackendClient client{http};
    std::shared_ptr<sim::VirtualCard> card =
        std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    sim::VirtualReader reader{sim::ReaderModel::Acr39u, {card}};
    reader::Owner owner;
    Wizard wizard{client, clock, owner};
};

// Blocks the card's PIN the way a holder does: three wrong VERIFYs through the reader.
void blockPin(sim::VirtualReader& reader);
// True when `pin` verifies on the card in a fresh reader session.
bool pinVerifies(sim::VirtualReader& reader, const std::string& pin);

} // namespace kamusm::wizard::test
