#include "kamusm/backend/api.hpp"

#include "kamusm/backend/base64.hpp"

#include "kamusm/base/json.hpp"

#include <array>
#include <limits>
#include <stdexcept>

namespace kamusm::backend {

using json::Value;

namespace {

template <typename Enum, std::size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<Operation, 3> operationNames{{{Operation::Create, "create"},
                                              {Operation::Change, "change"},
                                              {Operation::Unblock, "unblock"}}};
constexpr Names<Confirmation, 2> confirmationNames{
    {{Confirmation::Sms, "sms"}, {Confirmation::Password, "password"}}};
constexpr Names<Outcome, 5> outcomeNames{{{Outcome::Success, "success"},
                                          {Outcome::WrongState, "wrong_state"},
                                          {Outcome::CardRemoved, "card_removed"},
                                          {Outcome::CardError, "card_error"},
                                          {Outcome::Cancelled, "cancelled"}}};

template <typename Enum, std::size_t N>
std::string_view nameOf(const Names<Enum, N>& names, Enum value) {
    for (const auto& [v, name] : names)
        if (v == value) return name;
    return "?";
}

template <typename Enum, std::size_t N>
Enum valueOf(const Names<Enum, N>& names, std::string_view text) {
    for (const auto& [v, name] : names)
        if (name == text) return v;
    throw std::invalid_argument("unknown value \"" + std::string(text) + "\"");
}

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorCode::MalformedResponse, "unexpected answer from the server: " + what);
}

// The fields of a success answer: a missing one or one of the wrong type is MalformedResponse.
const Value& field(const Value& body, const char* name) {
    const Value* found = body.find(name);
    if (!found) malformed(std::string("no \"") + name + "\"");
    return *found;
}

[[noreturn]] void wrongType(const char* name) {
    malformed(std::string("\"") + name + "\" has the wrong type");
}

std::string text(const Value& body, const char* name) {
    const std::optional<std::string_view> value = field(body, name).string();
    if (!value) wrongType(name);
    return std::string(*value);
}

std::optional<int> asInt(const Value& value) {
    const std::optional<std::int64_t> number = value.integer();
    if (!number || *number < std::numeric_limits<int>::min() ||
        *number > std::numeric_limits<int>::max())
        return std::nullopt;
    return static_cast<int>(*number);
}

int number(const Value& body, const char* name) {
    const std::optional<int> value = asInt(field(body, name));
    if (!value) wrongType(name);
    return *value;
}

bool flag(const Value& body, const char* name) {
    const std::optional<bool> value = field(body, name).boolean();
    if (!value) wrongType(name);
    return *value;
}

// The holder's year of birth, which the server sends only when it knows it.
std::optional<int> optionalYear(const Value& holder) {
    if (!holder.find("birth_year")) return std::nullopt;
    return number(holder, "birth_year");
}

template <typename F> auto convert(const char* name, F&& f) {
    try {
        return f();
    } catch (const std::invalid_argument&) {
        malformed(std::string("\"") + name + "\" has an unknown value");
    }
}

std::string sessionPath(const std::string& session, const char* step) {
    return "/api/v1/sessions/" + session + "/" + step;
}

Task<Value> call(HttpClient& http, std::string method, std::string path, const Value& body = {}) {
    HttpRequest request{std::move(method), std::move(path), {}, {{"Accept", "application/json"}}};
    if (!body.isNull()) {
        request.body = body.dump();
        request.headers["Content-Type"] = "application/json";
    }
    HttpResponse response = co_await http.send(std::move(request));
    if (response.status < 200 || response.status > 299) throwProblem(response);
    if (response.status == 204) co_return Value();
    std::optional<Value> parsed = json::parse(response.body);
    if (!parsed) malformed("the body is not JSON");
    co_return std::move(*parsed);
}

std::optional<int> headerInt(const HttpResponse& response, const char* name) {
    auto it = response.headers.find(name);
    if (it == response.headers.end()) return std::nullopt;
    try {
        return std::stoi(it->second);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

std::string_view wireName(Operation operation) {
    return nameOf(operationNames, operation);
}
std::string_view wireName(Confirmation confirmation) {
    return nameOf(confirmationNames, confirmation);
}
std::string_view wireName(Outcome outcome) {
    return nameOf(outcomeNames, outcome);
}
Operation operationFromString(std::string_view text) {
    return valueOf(operationNames, text);
}
Confirmation confirmationFromString(std::string_view text) {
    return valueOf(confirmationNames, text);
}
Outcome outcomeFromString(std::string_view text) {
    return valueOf(outcomeNames, text);
}

void throwProblem(const HttpResponse& response) {
    const Value problem = json::parse(response.body).value_or(Value());
    auto text = [&](const char* name) { return std::string(problem[name].string().value_or("")); };
    std::string detail = text("detail");
    if (detail.empty()) detail = text("title");
    if (detail.empty()) detail = "the server answered HTTP " + std::to_string(response.status);
    std::optional<int> retryAfter = asInt(problem["retry_after"]);
    if (!retryAfter) retryAfter = headerInt(response, "retry-after");
    throw Error(ErrorCode::Http, detail, response.status, problemFromType(text("type")),
                asInt(problem["tries_left"]), retryAfter);
}

Task<Health> BackendClient::health() {
    const Value body = co_await call(http_, "GET", "/api/v1/health");
    co_return Health{text(body, "status"), text(body, "version"), flag(body, "demo")};
}

Task<Session> BackendClient::startSession(std::string code) {
    const Value body =
        co_await call(http_, "POST", "/api/v1/sessions", Value::object({{"code", code}}));
    const Value& holder = field(body, "holder");
    co_return Session{
        text(body, "session"),
        convert("operation", [&] { return operationFromString(text(body, "operation")); }),
        Holder{text(holder, "name"), text(holder, "tckn_masked"), optionalYear(holder)},
        convert("confirmation", [&] { return confirmationFromString(text(body, "confirmation")); }),
        number(body, "expires_in")};
}

Task<void> BackendClient::checkCard(std::string session, std::string serial, Bytes certificate) {
    co_await call(http_, "POST", sessionPath(session, "card"),
                  Value::object({{"serial", serial}, {"certificate", toBase64(certificate)}}));
}

Task<SmsSent> BackendClient::sendSms(std::string session) {
    const Value body = co_await call(http_, "POST", sessionPath(session, "sms"), Value::object());
    co_return SmsSent{text(body, "sent_to"), number(body, "expires_in"), number(body, "resend_in")};
}

Task<void> BackendClient::confirmSms(std::string session, std::string smsCode) {
    co_await call(http_, "POST", sessionPath(session, "confirm"),
                  Value::object({{"sms_code", smsCode}}));
}

Task<void> BackendClient::confirmPassword(std::string session, std::string password) {
    Value body = Value::object({{"password", password}});
    wipe(password);
    co_await call(http_, "POST", sessionPath(session, "confirm"), body);
    body.wipe();
}

Task<Bytes> BackendClient::authorize(std::string session, std::string serial, Bytes challenge) {
    const Value body =
        co_await call(http_, "POST", sessionPath(session, "authorization"),
                      Value::object({{"serial", serial}, {"challenge", toHex(challenge)}}));
    Bytes cryptogram = convert("cryptogram", [&] { return fromHex(text(body, "cryptogram")); });
    if (cryptogram.size() != 16) malformed("the cryptogram is not 16 bytes");
    co_return cryptogram;
}

Task<void> BackendClient::reportOutcome(std::string session, Outcome outcome, std::string detail) {
    Value body = Value::object({{"result", wireName(outcome)}});
    if (!detail.empty()) body.set("detail", detail);
    co_await call(http_, "POST", sessionPath(session, "outcome"), body);
}

Task<VerificationCode>
BackendClient::demoVerificationCode(std::string tckn, Operation operation,
                                    std::optional<Confirmation> confirmation) {
    Value request = Value::object({{"tckn", tckn}, {"operation", wireName(operation)}});
    if (confirmation) request.set("confirmation", wireName(*confirmation));
    const Value body = co_await call(http_, "POST", "/demo/verification-codes", request);
    co_return VerificationCode{text(body, "code"), number(body, "expires_in")};
}

Task<std::vector<OutboxMessage>> BackendClient::demoOutbox() {
    const Value body = co_await call(http_, "GET", "/demo/outbox");
    if (!body.isArray()) malformed("the outbox is not an array");
    std::vector<OutboxMessage> messages;
    for (const Value& message : body.items())
        messages.push_back({text(message, "to"), text(message, "text"), text(message, "code")});
    co_return messages;
}

Task<DemoCard> BackendClient::demoEnrolCard(std::string tckn, std::string serial) {
    const Value body = co_await call(http_, "POST", "/demo/cards",
                                     Value::object({{"tckn", tckn}, {"serial", serial}}));
    co_return DemoCard{
        convert("certificate", [&] { return fromBase64(text(body, "certificate")); }),
        convert("private_key", [&] { return fromBase64(text(body, "private_key")); }),
        convert("ca_certificate", [&] { return fromBase64(text(body, "ca_certificate")); })};
}

} // namespace kamusm::backend
