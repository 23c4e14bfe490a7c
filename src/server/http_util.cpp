#include "kamusm/server/http_util.hpp"

#include "kamusm/backend/base64.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace kamusm::server {

using backend::Problem;
using nlohmann::json;

namespace {

struct ProblemInfo {
    Problem problem;
    int status;
    std::string_view title;
};

constexpr std::array<ProblemInfo, 28> problemTable{{
    {Problem::Unknown, 500, "Unknown problem"},
    {Problem::InvalidRequest, 400, "Invalid request"},
    {Problem::NotFound, 404, "Not found"},
    {Problem::PayloadTooLarge, 413, "Request body too large"},
    {Problem::RateLimited, 429, "Too many attempts"},
    {Problem::Internal, 500, "Internal error"},
    {Problem::CodeUnknown, 404, "Unknown verification code"},
    {Problem::CodeExpired, 410, "Verification code expired"},
    {Problem::CodeUsed, 409, "Verification code already used"},
    {Problem::SessionUnknown, 404, "Unknown session"},
    {Problem::SessionExpired, 410, "Session expired"},
    {Problem::SessionLocked, 423, "Session locked"},
    {Problem::WrongHolder, 403, "Card of another holder"},
    {Problem::UnknownCard, 403, "Card not enrolled"},
    {Problem::UntrustedCertificate, 403, "Untrusted certificate"},
    {Problem::CertificateExpired, 403, "Certificate expired"},
    {Problem::CardNotChecked, 409, "Card not checked yet"},
    {Problem::CardMismatch, 403, "Not the checked card"},
    {Problem::WrongConfirmationKind, 400, "Wrong confirmation method"},
    {Problem::SmsNotSent, 409, "No SMS code sent"},
    {Problem::SmsCodeExpired, 410, "SMS code expired"},
    {Problem::WrongSmsCode, 403, "Wrong SMS code"},
    {Problem::WrongPassword, 403, "Wrong password"},
    {Problem::NotConfirmed, 409, "Not confirmed yet"},
    {Problem::OperationNotAuthorized, 409, "No authorization for this operation"},
    {Problem::AuthorizationUsed, 409, "Authorization already issued"},
    {Problem::OutcomeReported, 409, "Outcome already reported"},
    {Problem::Unauthorized, 401, "Unauthorized"},
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

std::string clientIp(const Request& request, const std::string& trustedProxy) {
    if (trustedProxy.empty() || request.peer != trustedProxy) return request.peer;
    std::string forwarded;
    for (const std::string& line : request.headerLines("X-Forwarded-For"))
        forwarded += (forwarded.empty() ? "" : ",") + line;
    std::string last = forwarded.substr(forwarded.rfind(',') + 1);
    last.erase(0, last.find_first_not_of(' '));
    last.erase(last.find_last_not_of(' ') + 1);
    return last.empty() ? request.peer : last;
}

std::string loggablePath(const std::string& path) {
    static const std::regex session(R"((/api/v1/sessions/[0-9A-F]{8})[0-9A-F]{24})");
    return std::regex_replace(path, session, "$1…");
}

int problemStatus(Problem problem) {
    for (const ProblemInfo& info : problemTable)
        if (info.problem == problem) return info.status;
    return 500;
}

namespace {
std::string_view problemTitle(Problem problem) {
    for (const ProblemInfo& info : problemTable)
        if (info.problem == problem) return info.title;
    return "Unknown problem";
}
} // namespace

json parseBody(const Request& request, std::initializer_list<Field> fields) {
    json body = json::object();
    if (!request.body.empty()) {
        std::string type = lower(request.header("Content-Type"));
        if (!type.starts_with("application/json")) invalid("the body must be application/json");
        bool duplicate = false;
        std::vector<std::vector<std::string>> objectKeys; // keys of each open object
        json::parser_callback_t noDuplicates = [&](int, json::parse_event_t event, json& parsed) {
            if (event == json::parse_event_t::object_start) objectKeys.emplace_back();
            if (event == json::parse_event_t::object_end) objectKeys.pop_back();
            if (event == json::parse_event_t::key && !objectKeys.empty()) {
                std::vector<std::string>& keys = objectKeys.back();
                duplicate |= std::find(keys.begin(), keys.end(), parsed) != keys.end();
                keys.push_back(parsed);
            }
            return true;
        };
        body = json::parse(request.body, noDuplicates, false);
        if (body.is_discarded()) invalid("the body is not valid JSON");
        if (duplicate) invalid("the body repeats a member");
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

void sendJson(Response& response, int status, const json& body) {
    response.status = status;
    response.body = body.dump();
    response.setHeader("Content-Type", "application/json");
}

void sendProblem(Response& response, const ApiError& error, std::optional<int> status) {
    json problem = {{"type", backend::problemType(error.problem())},
                    {"title", problemTitle(error.problem())},
                    {"status", status.value_or(error.status())},
                    {"detail", error.what()}};
    if (error.triesLeft()) problem["tries_left"] = *error.triesLeft();
    if (error.retryAfter()) {
        problem["retry_after"] = *error.retryAfter();
        response.setHeader("Retry-After", std::to_string(*error.retryAfter()));
    }
    response.status = status.value_or(error.status());
    response.body = problem.dump();
    response.setHeader("Content-Type", "application/problem+json");
}

} // namespace kamusm::server
