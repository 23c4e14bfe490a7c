#include "wizard/wizard_harness.hpp"

#include "kamusm/backend/base64.hpp"
#include "kamusm/backend/problem.hpp"
#include "kamusm/card/akis.hpp"
#include "kamusm/card/certificate.hpp"
#include "kamusm/ccid/reader.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace kamusm::wizard::test {

using nlohmann::json;

namespace {

backend::HttpResponse answer(int status, const json& body) {
    return {status, body.dump(), {{"content-type", "application/json"}}};
}

backend::HttpResponse noContent() {
    return {204, {}, {}};
}

// An RFC 7807 body as the server sends it.
backend::HttpResponse problem(int status, backend::Problem type, std::optional<int> triesLeft = {},
                              std::optional<int> retryAfter = {}) {
    json body = {{"type", backend::problemType(type)},
                 {"title", std::string(backend::problemSlug(type))},
                 {"status", status}};
    if (triesLeft) body["tries_left"] = *triesLeft;
    if (retryAfter) body["retry_after"] = *retryAfter;
    return {status, body.dump(), {{"content-type", "application/problem+json"}}};
}

} // namespace

Task<backend::HttpResponse> FakeServer::send(backend::HttpRequest request) {
    co_return handle(request);
}

void FakeServer::issueCode(std::string newCode) {
    code = std::move(newCode);
    codeUsed_ = outcomeReported_ = confirmed_ = authorized = false;
    checkedSerial_.clear();
    triesLeft_ = 3;
}

backend::HttpResponse FakeServer::handle(const backend::HttpRequest& request) {
    using backend::Problem;
    paths.push_back(request.path);
    const json body = json::parse(request.body.empty() ? "{}" : request.body);
    const std::string session = "/api/v1/sessions/" + std::string(fakeSessionId) + "/";

    if (request.path == "/api/v1/sessions") {
        if (body.at("code") != code) return problem(404, Problem::CodeUnknown);
        if (codeUsed_) return problem(409, Problem::CodeUsed);
        if (codeExpired) return problem(410, Problem::CodeExpired);
        codeUsed_ = true;
        return answer(201,
                      {{"session", fakeSessionId},
                       {"operation", backend::wireName(operation)},
                       {"holder", {{"name", sim::demoHolderName}, {"tckn_masked", "100******46"}}},
                       {"confirmation", backend::wireName(confirmation)},
                       {"expires_in", sessionLifetime}});
    }
    if (request.path == session + "card") {
        const card::CertificateInfo info =
            card::parseCertificate(backend::fromBase64(body.at("certificate").get<std::string>()));
        if (info.tckn != holderTckn) return problem(403, Problem::WrongHolder);
        checkedSerial_ = body.at("serial");
        return noContent();
    }
    if (request.path == session + "sms") {
        if (checkedSerial_.empty()) return problem(409, Problem::CardNotChecked);
        if (rateLimitedSms > 0) {
            --rateLimitedSms;
            return problem(429, Problem::RateLimited, std::nullopt, 42);
        }
        ++smsSent;
        return answer(200, {{"sent_to", "*******12"}, {"expires_in", 180}, {"resend_in", 60}});
    }
    if (request.path == session + "confirm") {
        if (triesLeft_ == 0) return problem(423, Problem::SessionLocked);
        const bool sms = body.contains("sms_code");
        const bool right = sms ? body.at("sms_code") == smsCode : body.at("password") == password;
        if (!right) {
            --triesLeft_;
            return problem(403, sms ? Problem::WrongSmsCode : Problem::WrongPassword, triesLeft_);
        }
        confirmed_ = true;
        return noContent();
    }
    if (request.path == session + "authorization") {
        if (operation == backend::Operation::Change)
            return problem(409, Problem::OperationNotAuthorized);
        if (!confirmed_) return problem(409, Problem::NotConfirmed);
        if (authorized) return problem(409, Problem::AuthorizationUsed);
        const std::string serial = body.at("serial");
        if (serial != checkedSerial_) return problem(403, Problem::CardMismatch);
        authorized = true;
        const Bytes challenge = fromHex(body.at("challenge").get<std::string>());
        const Bytes cryptogram = sim::VirtualCard::unblockCryptogram(
            sim::VirtualCard::deriveUnblockKey(masterKey, serial), challenge, serial);
        if (onAuthorize) onAuthorize();
        return answer(200, {{"cryptogram", toHex(cryptogram)}});
    }
    if (request.path == session + "outcome") {
        if (outcomeReported_) return problem(409, Problem::OutcomeReported);
        outcomeReported_ = true;
        outcomes.push_back({body.at("result"), body.value("detail", "")});
        return noContent();
    }
    return problem(404, Problem::NotFound);
}

Harness::Harness(backend::Operation operation, sim::CardSetup setup, sim::ReaderModel model,
                 WizardOptions options)
    : card(std::make_shared<sim::VirtualCard>(std::move(setup))), reader(model, {card}),
      wizard(client, clock, owner, options) {
    server.operation = operation;
    plug(reader);
}

void Harness::plug(usb::Device& device, ccid::Trace* trace) {
    test::plug(owner, device, trace);
}

void plug(reader::Owner& owner, usb::Device& device, ccid::Trace* trace) {
    auto transport = std::make_unique<reader::CcidTransport>(reader::TransportKind::Sim,
                                                             reader::CcidTransport::Sleep{}, trace);
    transport->addDevice(std::make_unique<ForwardingDevice>(device));
    runSync(owner.use(std::move(transport)));
}

void Harness::runToNewPin() {
    wizard.environmentChecked({true, true});
    REQUIRE(wizard.state().step == Step::Code);
    runSync(wizard.submitCode(server.code));
    REQUIRE(wizard.errorCode() == "");
    REQUIRE(wizard.state().step == Step::Reader);
    runSync(wizard.findCard());
    REQUIRE(wizard.errorCode() == "");
    REQUIRE(wizard.state().step == Step::Card);
    wizard.cardConfirmed();
    REQUIRE(wizard.state().step == Step::NewPin);
}

void Harness::finishWith(const std::string& newPin, const std::string& currentPin) {
    runSync(wizard.submitNewPin(card::Pin(currentPin), card::Pin(newPin), card::Pin(newPin)));
    REQUIRE(wizard.errorCode() == "");
    REQUIRE(wizard.state().step == Step::Confirm);
    runSync(wizard.submitConfirmation(server.smsCode));
}

void blockPin(sim::VirtualReader& reader) {
    auto ccidReader = runSync(ccid::Reader::open(reader));
    auto session = runSync(ccidReader->connect(0));
    card::AkisCard card(*session);
    for (int i = 0; i < 3; ++i)
        CHECK_THROWS_AS(runSync(card.verifyPin(card::Pin("000000"))), card::Error);
    CHECK(runSync(card.pinStatus()).state == card::PinState::Blocked);
}

bool pinVerifies(sim::VirtualReader& reader, const std::string& pin) {
    auto ccidReader = runSync(ccid::Reader::open(reader));
    auto session = runSync(ccidReader->connect(0));
    card::AkisCard card(*session);
    try {
        runSync(card.verifyPin(card::Pin(pin)));
        return true;
    } catch (const card::Error&) {
        return false;
    }
}

} // namespace kamusm::wizard::test
