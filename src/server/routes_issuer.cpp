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

void authorize(const httplib::Request& req, const std::string& token) {
    std::string header = req.get_header_value("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!header.starts_with(scheme) ||
        !constantTimeEqual(std::string_view(header).substr(scheme.size()), token))
        throw ApiError(Problem::Unauthorized, "the issuer API needs its bearer token");
}

} // namespace

void addIssuerRoutes(httplib::Server& server, Sessions& sessions, std::string token) {
    auto authorized = [token](auto handler) {
        return guarded([token, handler](const httplib::Request& req, httplib::Response& res) {
            authorize(req, token);
            handler(req, res);
        });
    };

    server.Put(R"(/internal/v1/holders/([0-9]{11}))",
               authorized([&](const httplib::Request& req, httplib::Response& res) {
                   json body = parseBody(req, {{"name", Kind::Text, 200},
                                               {"phone", Kind::Text, 20},
                                               {"confirmation", Kind::Choice, 0, confirmations},
                                               {"password", Kind::Text, 256},
                                               {"birth_year", Kind::Digits, 4, {}, false}});
                   std::string password = body["password"];
                   sessions.holders().put(
                       {req.matches[1], body["name"], body["phone"],
                        backend::confirmationFromString(body["confirmation"].get<std::string>()),
                        body.contains("birth_year")
                            ? std::optional<int>(std::stoi(body["birth_year"].get<std::string>()))
                            : std::nullopt},
                       password);
                   wipe(password);
                   sessions.audit().append({"holder_updated",
                                            {},
                                            req.matches[1],
                                            clientIp(req, sessions.config().trustedProxy),
                                            json::object()});
                   res.status = 204;
               }));

    server.Put(R"(/internal/v1/cards/([0-9]{12}))",
               authorized([&](const httplib::Request& req, httplib::Response& res) {
                   json body = parseBody(req, {tcknField});
                   if (!sessions.holders().find(body["tckn"]))
                       throw ApiError(Problem::NotFound, "no such holder");
                   sessions.holders().enrolCard(req.matches[1], body["tckn"]);
                   sessions.audit().append({"card_enrolled",
                                            {},
                                            body["tckn"],
                                            clientIp(req, sessions.config().trustedProxy),
                                            {{"serial", req.matches[1]}}});
                   res.status = 204;
               }));

    server.Post(
        "/internal/v1/verification-codes",
        authorized([&](const httplib::Request& req, httplib::Response& res) {
            json body = parseBody(req, {tcknField,
                                        {"operation", Kind::Choice, 0, operations},
                                        {"confirmation", Kind::Choice, 0, confirmations, false}});
            auto holder = sessions.holders().find(body["tckn"]);
            if (!holder) throw ApiError(Problem::NotFound, "no such holder");
            backend::Confirmation confirmation = holder->confirmation;
            if (body.contains("confirmation"))
                confirmation =
                    backend::confirmationFromString(body["confirmation"].get<std::string>());
            std::string code = sessions.issueCode(
                holder->tckn, backend::operationFromString(body["operation"].get<std::string>()),
                confirmation);
            sendJson(res, 201, {{"code", code}, {"expires_in", sessions.codeLifetime()}});
        }));
}

} // namespace kamusm::server
