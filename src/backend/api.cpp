#include "kamusm/backend/api.hpp"

#include "kamusm/backend/base64.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>

namespace kamusm::backend {

using nlohmann::json;

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

// Reads a field of a success answer, turning any type mismatch into MalformedResponse.
template <typename T> T field(const json& body, const char* name) {
    if (!body.is_object() || !body.contains(name)) malformed(std::string("no \"") + name + "\"");
    try {
        return body.at(name).get<T>();
    } catch (const json::exception&) {
        malformed(std::string("\"") + name + "\" has the wrong type");
    }
}

// The holder's year of birth, which the server sends only when it knows it.
std::optional<int> optionalYear(const json& holder) {
    if (!holder.is_object() || !holder.contains("birth_year")) return std::nullopt;
    return field<int>(holder, "birth_year");
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

Task<json> call(HttpClient& http, std::string method, std::string path,
                const json& body = nullptr) {
    HttpRequest request{std::move(method), std::move(path), {}, {{"Accept", "application/json"}}};
    if (!body.is_null()) {
        request.body = body.dump();
        request.headers["Content-Type"] = "application/json";
    }
    HttpResponse response = co_await http.send(std::move(request));
    if (response.status < 200 || response.status > 299) throwProblem(response);
    if (response.status == 204) co_return json();
    json parsed = json::parse(response.body, nullptr, false);
    if (parsed.is_discarded()) malformed("the body is not JSON");
    co_return parsed;
}

std::optional<int> optionalInt(const json& problem, const char* name) {
    auto it = problem.find(name);
    if (it == problem.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int>();
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
    json problem = json::parse(response.body, nullptr, false);
    if (!problem.is_object()) problem = json::object();
    auto text = [&](const char* name) {
        auto it = problem.find(name);
        return it != problem.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string detail = text("detail");
    if (detail.empty()) detail = text("title");
    if (detail.empty()) detail = "the server answered HTTP " + std::to_string(response.status);
    std::optional<int> retryAfter = optionalInt(problem, "retry_after");
    if (!retryAfter) retryAfter = headerInt(response, "retry-after");
    throw Error(ErrorCode::Http, detail, response.status, problemFromType(text("type")),
                optionalInt(problem, "tries_left"), retryAfter);
}

Task<Health> BackendClient::health() {
    json body = co_await call(http_, "GET", "/api/v1/health");
    co_return Health{field<std::string>(body, "status"), field<std::string>(body, "version"),
                     field<bool>(body, "demo")};
}

Task<Session> BackendClient::startSession(std::string code) {
    json body = co_await call(http_, "POST", "/api/v1/sessions", {{"code", code}});
    json holder = field<json>(body, "holder");
    co_return Session{
        field<std::string>(body, "session"),
        convert("operation",
                [&] { return operationFromString(field<std::string>(body, "operation")); }),
        Holder{field<std::string>(holder, "name"), field<std::string>(holder, "tckn_masked"),
               optionalYear(holder)},
        convert("confirmation",
                [&] { return confirmationFromString(field<std::string>(body, "confirmation")); }),
        field<int>(body, "expires_in")};
}

Task<void> BackendClient::checkCard(std::string session, std::string serial, Bytes certificate) {
    co_await call(http_, "POST", sessionPath(session, "card"),
                  {{"serial", serial}, {"certificate", toBase64(certificate)}});
}

Task<SmsSent> BackendClient::sendSms(std::string session) {
    json body = co_await call(http_, "POST", sessionPath(session, "sms"), json::object());
    co_return SmsSent{field<std::string>(body, "sent_to"), field<int>(body, "expires_in"),
                      field<int>(body, "resend_in")};
}

Task<void> BackendClient::confirmSms(std::string session, std::string smsCode) {
    co_await call(http_, "POST", sessionPath(session, "confirm"), {{"sms_code", smsCode}});
}

Task<void> BackendClient::confirmPassword(std::string session, std::string password) {
    json body = {{"password", password}};
    wipe(password);
    co_await call(http_, "POST", sessionPath(session, "confirm"), body);
}

Task<Bytes> BackendClient::authorize(std::string session, std::string serial, Bytes challenge) {
    json body = co_await call(http_, "POST", sessionPath(session, "authorization"),
                              {{"serial", serial}, {"challenge", toHex(challenge)}});
    Bytes cryptogram =
        convert("cryptogram", [&] { return fromHex(field<std::string>(body, "cryptogram")); });
    if (cryptogram.size() != 16) malformed("the cryptogram is not 16 bytes");
    co_return cryptogram;
}

Task<void> BackendClient::reportOutcome(std::string session, Outcome outcome, std::string detail) {
    json body = {{"result", wireName(outcome)}};
    if (!detail.empty()) body["detail"] = detail;
    co_await call(http_, "POST", sessionPath(session, "outcome"), body);
}

Task<VerificationCode>
BackendClient::demoVerificationCode(std::string tckn, Operation operation,
                                    std::optional<Confirmation> confirmation) {
    json request = {{"tckn", tckn}, {"operation", wireName(operation)}};
    if (confirmation) request["confirmation"] = wireName(*confirmation);
    json body = co_await call(http_, "POST", "/demo/verification-codes", request);
    co_return VerificationCode{field<std::string>(body, "code"), field<int>(body, "expires_in")};
}

Task<std::vector<OutboxMessage>> BackendClient::demoOutbox() {
    json body = co_await call(http_, "GET", "/demo/outbox");
    if (!body.is_array()) malformed("the outbox is not an array");
    std::vector<OutboxMessage> messages;
    for (const json& message : body)
        messages.push_back({field<std::string>(message, "to"), field<std::string>(message, "text"),
                            field<std::string>(message, "code")});
    co_return messages;
}

Task<DemoCard> BackendClient::demoEnrolCard(std::string tckn, std::string serial) {
    json body = co_await call(http_, "POST", "/demo/cards", {{"tckn", tckn}, {"serial", serial}});
    co_return DemoCard{
        convert("certificate", [&] { return fromBase64(field<std::string>(body, "certificate")); }),
        convert("private_key", [&] { return fromBase64(field<std::string>(body, "private_key")); }),
        convert("ca_certificate",
                [&] { return fromBase64(field<std::string>(body, "ca_certificate")); })};
}

} // namespace kamusm::backend
