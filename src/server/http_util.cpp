#include "kamusm/server/http_util.hpp"

#include "kamusm/backend/base64.hpp"
#include "kamusm/server/log.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace kamusm::server {

using backend::Problem;
using nlohmann::json;

namespace {

constexpr std::array<std::pair<Problem, int>, 27> statuses{{
    {Problem::Unknown, 500},
    {Problem::InvalidRequest, 400},
    {Problem::NotFound, 404},
    {Problem::PayloadTooLarge, 413},
    {Problem::RateLimited, 429},
    {Problem::Internal, 500},
    {Problem::CodeUnknown, 404},
    {Problem::CodeExpired, 410},
    {Problem::CodeUsed, 409},
    {Problem::SessionUnknown, 404},
    {Problem::SessionExpired, 410},
    {Problem::SessionLocked, 423},
    {Problem::WrongHolder, 403},
    {Problem::UnknownCard, 403},
    {Problem::UntrustedCertificate, 403},
    {Problem::CertificateExpired, 403},
    {Problem::CardNotChecked, 409},
    {Problem::CardMismatch, 403},
    {Problem::WrongConfirmationKind, 400},
    {Problem::SmsNotSent, 409},
    {Problem::SmsCodeExpired, 410},
    {Problem::WrongSmsCode, 403},
    {Problem::WrongPassword, 403},
    {Problem::NotConfirmed, 409},
    {Problem::OperationNotAuthorized, 409},
    {Problem::AuthorizationUsed, 409},
    {Problem::OutcomeReported, 409},
}};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool allOf(const std::string& text, int (*predicate)(int)) {
    return std::all_of(text.begin(), text.end(),
                       [&](unsigned char c) { return predicate(c) != 0; });
}

bool fits(const Field& field, const json& value) {
    if (!value.is_string()) return false;
    const std::string& text = value.get_ref<const std::string&>();
    switch (field.kind) {
    case Field::Kind::Digits:
        return text.size() == field.length && allOf(text, ::isdigit);
    case Field::Kind::Hex:
        return text.size() == field.length && allOf(text, ::isxdigit);
    case Field::Kind::Text:
        return text.size() <= field.length;
    case Field::Kind::Choice:
        return std::find(field.choices.begin(), field.choices.end(), text) != field.choices.end();
    case Field::Kind::Base64:
        if (text.empty() || text.size() > field.length) return false;
        try {
            backend::fromBase64(text);
            return true;
        } catch (const std::invalid_argument&) {
            return false;
        }
    }
    return false;
}

[[noreturn]] void invalid(const std::string& detail) {
    throw ApiError(Problem::InvalidRequest, detail);
}

} // namespace

std::string loggablePath(const std::string& path) {
    static const std::regex session(R"((/api/v1/sessions/[0-9A-F]{8})[0-9A-F]{24})");
    return std::regex_replace(path, session, "$1…");
}

int problemStatus(Problem problem) {
    for (const auto& [value, status] : statuses)
        if (value == problem) return status;
    return 500;
}

json parseBody(const httplib::Request& request, std::initializer_list<Field> fields) {
    json body = json::object();
    if (!request.body.empty()) {
        std::string type = lower(request.get_header_value("Content-Type"));
        if (!type.starts_with("application/json")) invalid("the body must be application/json");
        body = json::parse(request.body, nullptr, false);
        if (body.is_discarded()) invalid("the body is not valid JSON");
    }
    if (!body.is_object()) invalid("the body must be a JSON object");
    for (const auto& item : body.items()) {
        const std::string& name = item.key();
        std::string key = lower(name);
        if (key.find("pin") != std::string::npos || key.find("puk") != std::string::npos)
            invalid("the server never takes a PIN or PUK: it stays on your computer");
        auto field = std::find_if(fields.begin(), fields.end(),
                                  [&](const Field& f) { return f.name == name; });
        if (field == fields.end()) invalid("unknown field \"" + name + "\"");
        if (!fits(*field, item.value()))
            invalid("field \"" + name + "\" has the wrong type or format");
    }
    for (const Field& field : fields)
        if (field.required && !body.contains(field.name))
            invalid("missing field \"" + std::string(field.name) + "\"");
    return body;
}

void sendJson(httplib::Response& response, int status, const json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json");
}

void sendProblem(httplib::Response& response, const ApiError& error) {
    json problem = {{"type", backend::problemType(error.problem())},
                    {"title", std::string(backend::problemSlug(error.problem()))},
                    {"status", error.status()},
                    {"detail", error.what()}};
    if (error.triesLeft()) problem["tries_left"] = *error.triesLeft();
    if (error.retryAfter()) {
        problem["retry_after"] = *error.retryAfter();
        response.set_header("Retry-After", std::to_string(*error.retryAfter()));
    }
    response.status = error.status();
    response.set_content(problem.dump(), "application/problem+json");
}

httplib::Server::Handler
guarded(std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    return [handler = std::move(handler)](const httplib::Request& request,
                                          httplib::Response& response) {
        try {
            handler(request, response);
        } catch (const ApiError& error) {
            sendProblem(response, error);
        } catch (const std::exception& error) {
            logEvent("error", "handler_failed",
                     {{"path", loggablePath(request.path)}, {"error", error.what()}});
            sendProblem(response, ApiError(Problem::Internal, "internal error"));
        }
    };
}

} // namespace kamusm::server
