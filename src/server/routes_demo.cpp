#include "kamusm/backend/base64.hpp"
#include "kamusm/server/api_docs.hpp"
#include "kamusm/server/demo.hpp"
#include "kamusm/server/http_util.hpp"
#include "kamusm/server/routes.hpp"

namespace kamusm::server {

using nlohmann::json;
using Kind = Field::Kind;

namespace {
const Field tcknField{"tckn", Kind::Digits, 11};
}

void addDemoRoutes(Router& router, Demo& demo) {
    router.add(Method::Post, "/demo/verification-codes", [&](const Request& req, Response& res) {
        json body = parseBody(req, {tcknField,
                                    {"operation", Kind::Choice, 0, {"create", "change", "unblock"}},
                                    {"confirmation", Kind::Choice, 0, {"sms", "password"}, false}});
        std::optional<backend::Confirmation> confirmation;
        if (body.contains("confirmation"))
            confirmation = backend::confirmationFromString(body["confirmation"].get<std::string>());
        std::string code = demo.issueCode(
            body["tckn"], backend::operationFromString(body["operation"].get<std::string>()),
            confirmation);
        sendJson(res, 200, {{"code", code}, {"expires_in", demo.codeLifetime()}});
    });

    router.add(Method::Get, "/demo/outbox", [&](const Request&, Response& res) {
        json messages = json::array();
        for (const SmsMessage& message : demo.outbox())
            messages.push_back(
                {{"to", message.to}, {"text", message.text}, {"code", message.code}});
        sendJson(res, 200, messages);
    });

    // The API reference, for the people who build against the API (a production server keeps
    // its routes to itself).
    auto docs = std::make_shared<const std::string>(apiDocsHtml());
    router.add(Method::Get, "/api/docs", [docs](const Request&, Response& res) {
        res.status = 200;
        res.sharedBody = docs;
        res.setHeader("Content-Type", "text/html; charset=utf-8");
    });

    router.add(Method::Post, "/demo/cards", [&](const Request& req, Response& res) {
        json body = parseBody(req, {tcknField, {"serial", Kind::Digits, 12}});
        IssuedKey issued = demo.enrolCard(body["tckn"], body["serial"]);
        sendJson(res, 200,
                 {{"certificate", backend::toBase64(issued.certificate)},
                  {"private_key", backend::toBase64(issued.privateKey)},
                  {"ca_certificate", backend::toBase64(demo.ca().certificate())}});
        wipe(issued.privateKey);
    });
}

} // namespace kamusm::server
