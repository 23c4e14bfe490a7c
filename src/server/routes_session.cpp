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

void addSessionRoutes(Router& router, Sessions& sessions, bool demo) {
    router.add(Method::Get, "/api/v1/health", [demo](const Request&, Response& res) {
        sendJson(res, 200, {{"status", "ok"}, {"version", "0.1.0"}, {"demo", demo}});
    });

    router.add(Method::Post, "/api/v1/sessions", [&](const Request& req, Response& res) {
        json body = parseBody(req, {{"code", Kind::Digits, 15}});
        sendJson(res, 201,
                 sessionJson(
                     sessions.start(body["code"], clientIp(req, sessions.config().trustedProxy))));
    });

    auto route = [](const char* step) { return std::string(sessionRoute) + step; };

    router.add(Method::Post, route("card"), [&](const Request& req, Response& res) {
        json body = parseBody(req, {serialField, {"certificate", Kind::Base64, 12000}});
        sessions.checkCard(req.matches[0], body["serial"],
                           backend::fromBase64(body["certificate"].get<std::string>()),
                           clientIp(req, sessions.config().trustedProxy));
        sendJson(res, 200, {{"checked", true}});
    });

    router.add(Method::Post, route("sms"), [&](const Request& req, Response& res) {
        parseBody(req, {});
        backend::SmsSent sent =
            sessions.sendSms(req.matches[0], clientIp(req, sessions.config().trustedProxy));
        sendJson(res, 200,
                 {{"sent_to", sent.sentTo},
                  {"expires_in", sent.expiresIn},
                  {"resend_in", sent.resendIn}});
    });

    router.add(Method::Post, route("confirm"), [&](const Request& req, Response& res) {
        json body = parseBody(req, {{"sms_code", Kind::Digits, 6, {}, false},
                                    {"password", Kind::Text, 256, {}, false}});
        if (body.size() != 1)
            throw ApiError(backend::Problem::InvalidRequest,
                           "send exactly one of \"sms_code\" and \"password\"");
        bool sms = body.contains("sms_code");
        std::string secret = sms ? body["sms_code"] : body["password"];
        sessions.confirm(req.matches[0],
                         sms ? backend::Confirmation::Sms : backend::Confirmation::Password, secret,
                         clientIp(req, sessions.config().trustedProxy));
        wipe(secret);
        sendJson(res, 200, {{"confirmed", true}});
    });

    router.add(Method::Post, route("authorization"), [&](const Request& req, Response& res) {
        json body = parseBody(req, {serialField, {"challenge", Kind::Hex, 32}});
        Bytes cryptogram = sessions.authorize(req.matches[0], body["serial"],
                                              fromHex(body["challenge"].get<std::string>()),
                                              clientIp(req, sessions.config().trustedProxy));
        sendJson(res, 200, {{"cryptogram", toHex(cryptogram)}});
    });

    router.add(Method::Post, route("outcome"), [&](const Request& req, Response& res) {
        json body =
            parseBody(req, {{"result",
                             Kind::Choice,
                             0,
                             {"success", "wrong_state", "card_removed", "card_error", "cancelled"}},
                            {"detail", Kind::Text, 500, {}, false}});
        sessions.reportOutcome(
            req.matches[0], backend::outcomeFromString(body["result"].get<std::string>()),
            body.value("detail", std::string()), clientIp(req, sessions.config().trustedProxy));
        res.status = 204;
    });
}

} // namespace kamusm::server
