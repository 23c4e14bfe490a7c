#include "kamusm/backend/base64.hpp"
#include "kamusm/server/http_util.hpp"
#include "kamusm/server/routes.hpp"
#include "kamusm/server/sessions.hpp"

namespace kamusm::server {

using nlohmann::json;
using Kind = Field::Kind;

namespace {

constexpr const char* sessionRoute = R"(/api/v1/sessions/([0-9A-F]{32})/)";

const Field serialField{"serial", Kind::Digits, 12};

json holderJson(const backend::Holder& holder) {
    json result{{"name", holder.name}, {"tckn_masked", holder.tcknMasked}};
    if (holder.birthYear) result["birth_year"] = *holder.birthYear;
    return result;
}

json sessionJson(const backend::Session& session) {
    return {{"session", session.id},
            {"operation", backend::wireName(session.operation)},
            {"holder", holderJson(session.holder)},
            {"confirmation", backend::wireName(session.confirmation)},
            {"expires_in", session.expiresIn}};
}

} // namespace

void addSessionRoutes(httplib::Server& server, Sessions& sessions, bool demo) {
    server.Get("/api/v1/health", guarded([demo](const httplib::Request&, httplib::Response& res) {
                   sendJson(res, 200, {{"status", "ok"}, {"version", "0.1.0"}, {"demo", demo}});
               }));

    server.Post("/api/v1/sessions",
                guarded([&](const httplib::Request& req, httplib::Response& res) {
                    json body = parseBody(req, {{"code", Kind::Digits, 15}});
                    sendJson(res, 201,
                             sessionJson(sessions.start(
                                 body["code"], clientIp(req, sessions.config().trustedProxy))));
                }));

    auto route = [](const char* step) { return std::string(sessionRoute) + step; };

    server.Post(route("card"), guarded([&](const httplib::Request& req, httplib::Response& res) {
                    json body = parseBody(req, {serialField, {"certificate", Kind::Base64, 12000}});
                    sessions.checkCard(req.matches[1], body["serial"],
                                       backend::fromBase64(body["certificate"].get<std::string>()),
                                       clientIp(req, sessions.config().trustedProxy));
                    sendJson(res, 200, {{"checked", true}});
                }));

    server.Post(route("sms"), guarded([&](const httplib::Request& req, httplib::Response& res) {
                    parseBody(req, {});
                    backend::SmsSent sent = sessions.sendSms(
                        req.matches[1], clientIp(req, sessions.config().trustedProxy));
                    sendJson(res, 200,
                             {{"sent_to", sent.sentTo},
                              {"expires_in", sent.expiresIn},
                              {"resend_in", sent.resendIn}});
                }));

    server.Post(route("confirm"), guarded([&](const httplib::Request& req, httplib::Response& res) {
                    json body = parseBody(req, {{"sms_code", Kind::Digits, 6, {}, false},
                                                {"password", Kind::Text, 256, {}, false}});
                    if (body.size() != 1)
                        throw ApiError(backend::Problem::InvalidRequest,
                                       "send exactly one of \"sms_code\" and \"password\"");
                    bool sms = body.contains("sms_code");
                    std::string secret = sms ? body["sms_code"] : body["password"];
                    sessions.confirm(req.matches[1],
                                     sms ? backend::Confirmation::Sms
                                         : backend::Confirmation::Password,
                                     secret, clientIp(req, sessions.config().trustedProxy));
                    wipe(secret);
                    sendJson(res, 200, {{"confirmed", true}});
                }));

    server.Post(
        route("authorization"), guarded([&](const httplib::Request& req, httplib::Response& res) {
            json body = parseBody(req, {serialField, {"challenge", Kind::Hex, 32}});
            Bytes cryptogram = sessions.authorize(req.matches[1], body["serial"],
                                                  fromHex(body["challenge"].get<std::string>()),
                                                  clientIp(req, sessions.config().trustedProxy));
            sendJson(res, 200, {{"cryptogram", toHex(cryptogram)}});
        }));

    server.Post(
        route("outcome"), guarded([&](const httplib::Request& req, httplib::Response& res) {
            json body = parseBody(
                req, {{"result",
                       Kind::Choice,
                       0,
                       {"success", "wrong_state", "card_removed", "card_error", "cancelled"}},
                      {"detail", Kind::Text, 500, {}, false}});
            sessions.reportOutcome(
                req.matches[1], backend::outcomeFromString(body["result"].get<std::string>()),
                body.value("detail", std::string()), clientIp(req, sessions.config().trustedProxy));
            res.status = 204;
        }));
}

} // namespace kamusm::server
