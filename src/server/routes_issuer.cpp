#include "kamusm/server/crypto.hpp"
#include "kamusm/server/http_util.hpp"
#include "kamusm/server/routes.hpp"
#include "kamusm/server/sessions.hpp"

namespace kamusm::server {

using backend::Problem;
using nlohmann::json;
using Kind = Field::Kind;

namespace {

const Field tcknField{"tckn", Kind::Digits, 11};
const std::vector<std::string_view> operations{"create", "change", "unblock"};
const std::vector<std::string_view> confirmations{"sms", "password"};

bool hasToken(const Request& req, const std::string& token) {
    std::string header = req.header("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    return header.starts_with(scheme) &&
           constantTimeEqual(std::string_view(header).substr(scheme.size()), token);
}

// An address that keeps failing is refused before its token is even looked at; each failure
// below that limit is audited.
void authorize(Sessions& sessions, const Request& req, const std::string& token) {
    std::string ip = clientIp(req, sessions.config().trustedProxy);
    sessions.database().transact([&](Tx& tx) {
        RateLimits& limits = sessions.limits();
        if (auto retryAfter = limits.check(tx, Limit::IssuerFailuresPerIp, ip, ip))
            throw RecordedFailure(Problem::RateLimited, "too many failed issuer requests",
                                  std::nullopt, retryAfter);
        if (hasToken(req, token)) return;
        limits.hit(tx, Limit::IssuerFailuresPerIp, ip, ip);
        appendAudit(tx, {AuditEvent::IssuerRefused, {}, {}, ip, {{"path", req.path}}});
        throw RecordedFailure(Problem::Unauthorized, "the issuer API needs its bearer token");
    });
}

void putHolderRoute(Sessions& sessions, const Request& req, Response& res) {
    json body = parseBody(req, {{"name", Kind::Text, 200},
                                {"phone", Kind::Text, 20},
                                {"confirmation", Kind::Choice, 0, confirmations},
                                {"password", Kind::Text, 256},
                                {"birth_year", Kind::Digits, 4, {}, false}});
    std::string password = body["password"];
    PasswordHash hash = hashPassword(password); // slow: before the transaction
    wipe(password);
    HolderRecord holder{req.matches[0], body["name"], body["phone"],
                        backend::confirmationFromString(body["confirmation"].get<std::string>()),
                        body.contains("birth_year")
                            ? std::optional<int>(std::stoi(body["birth_year"].get<std::string>()))
                            : std::nullopt};
    sessions.database().transact([&](Tx& tx) {
        putHolder(tx, holder, hash);
        appendAudit(tx, {AuditEvent::HolderUpdated,
                         {},
                         holder.tckn,
                         clientIp(req, sessions.config().trustedProxy)});
    });
    res.status = 204;
}

void putCardRoute(Sessions& sessions, const Request& req, Response& res) {
    json body = parseBody(req, {tcknField});
    std::string tckn = body["tckn"], serial = req.matches[0];
    sessions.database().transact([&](Tx& tx) {
        if (!findHolder(tx, tckn)) throw ApiError(Problem::NotFound, "no such holder");
        enrolCard(tx, serial, tckn);
        appendAudit(tx, {AuditEvent::CardEnrolled,
                         {},
                         tckn,
                         clientIp(req, sessions.config().trustedProxy),
                         {{"serial", serial}}});
    });
    res.status = 204;
}

void issueCodeRoute(Sessions& sessions, const Request& req, Response& res) {
    json body = parseBody(req, {tcknField,
                                {"operation", Kind::Choice, 0, operations},
                                {"confirmation", Kind::Choice, 0, confirmations, false}});
    std::string code = sessions.database().transact([&](Tx& tx) {
        auto holder = findHolder(tx, body["tckn"]);
        if (!holder) throw ApiError(Problem::NotFound, "no such holder");
        backend::Confirmation confirmation = holder->confirmation;
        if (body.contains("confirmation"))
            confirmation = backend::confirmationFromString(body["confirmation"].get<std::string>());
        return sessions.issueCode(
            tx, holder->tckn, backend::operationFromString(body["operation"].get<std::string>()),
            confirmation);
    });
    sendJson(res, 201, {{"code", code}, {"expires_in", sessions.config().codeLifetime}});
}

} // namespace

void addIssuerRoutes(Router& router, Sessions& sessions, std::string token) {
    using Step = void (*)(Sessions&, const Request&, Response&);
    auto authorized = [&sessions, token](Step step) {
        return [&sessions, token, step](const Request& req, Response& res) {
            authorize(sessions, req, token);
            step(sessions, req, res);
        };
    };
    router.add(Method::Put, R"(/internal/v1/holders/([0-9]{11}))", authorized(putHolderRoute));
    router.add(Method::Put, R"(/internal/v1/cards/([0-9]{12}))", authorized(putCardRoute));
    router.add(Method::Post, "/internal/v1/verification-codes", authorized(issueCodeRoute));
}

} // namespace kamusm::server
