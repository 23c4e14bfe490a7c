#include "kamusm/server/cors.hpp"
#include "kamusm/server/http_util.hpp"
#include "kamusm/server/log.hpp"
#include "kamusm/server/routes.hpp"

namespace kamusm::server {

namespace {

std::string contentSecurityPolicy(const Config& config) {
    std::string ancestors = config.frameAncestors.empty() ? "'none'" : config.frameAncestors;
    // Trusted Types as Isolated Web Apps require them: the one script URL the page makes goes
    // through web/app.js's "kamusm-loader" policy.
    return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
           "require-trusted-types-for 'script'; trusted-types kamusm-loader; style-src 'self'; "
           "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors " +
           ancestors;
}

const char* methodName(Method method) {
    switch (method) {
    case Method::Get:
        return "GET";
    case Method::Head:
        return "HEAD";
    case Method::Post:
        return "POST";
    case Method::Put:
        return "PUT";
    case Method::Options:
        return "OPTIONS";
    case Method::Other:
        break;
    }
    return "OTHER";
}

} // namespace

void installHttpPolicy(Router& router, const Config& config) {
    std::string csp = contentSecurityPolicy(config);
    bool framable = !config.frameAncestors.empty();
    std::string proxy = config.trustedProxy;
    std::vector<std::string> appOrigins = parseAppOrigins(config.appOrigins);
    router.onAnswer([csp, framable, proxy, appOrigins](const Request& req, Response& res) {
        addCorsHeaders(appOrigins, req, res);
        res.setHeader("Content-Security-Policy", csp);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
        if (!framable) res.setHeader("X-Frame-Options", "DENY");
        if (req.path.starts_with("/api/") || req.path.starts_with("/demo/") ||
            req.path.starts_with("/internal/"))
            res.setHeader("Cache-Control", "no-store");
        logEvent("info", "request",
                 {{"method", methodName(req.method)},
                  {"path", loggablePath(req.path)},
                  {"status", res.status},
                  {"ip", clientIp(req, proxy)}});
    });
}

} // namespace kamusm::server
