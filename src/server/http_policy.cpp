#include "kamusm/server/http_util.hpp"
#include "kamusm/server/log.hpp"
#include "kamusm/server/routes.hpp"

namespace kamusm::server {

using backend::Problem;

namespace {

std::string contentSecurityPolicy(const Config& config) {
    std::string ancestors = config.frameAncestors.empty() ? "'none'" : config.frameAncestors;
    return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
           "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors " +
           ancestors;
}

Problem problemForStatus(int status) {
    switch (status) {
    case 400:
        return Problem::InvalidRequest;
    case 404:
        return Problem::NotFound;
    case 413:
        return Problem::PayloadTooLarge;
    default:
        return Problem::Internal;
    }
}

} // namespace

void installHttpPolicy(httplib::Server& server, const Config& config) {
    server.set_payload_max_length(static_cast<std::size_t>(config.maxBodyBytes));

    // httplib's own refusals (unknown route, body too large, unreadable request) get a problem
    // document too; handlers that already answered keep theirs.
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            Problem problem = problemForStatus(res.status);
            int status = res.status;
            sendProblem(res, ApiError(problem, status == 404   ? "no such resource"
                                               : status == 413 ? "the request body is too large"
                                                               : "the request was refused"));
            res.status = status; // keep httplib's status (e.g. 405) even when the type is generic
            return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
            logEvent("error", "unhandled_exception", {{"path", loggablePath(req.path)}});
            sendProblem(res, ApiError(Problem::Internal, "internal error"));
        });

    std::string csp = contentSecurityPolicy(config);
    bool framable = !config.frameAncestors.empty();
    server.set_post_routing_handler(
        [csp, framable](const httplib::Request& req, httplib::Response& res) {
            res.set_header("Content-Security-Policy", csp);
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("Referrer-Policy", "no-referrer");
            res.set_header("Cross-Origin-Resource-Policy", "same-origin");
            if (!framable) res.set_header("X-Frame-Options", "DENY");
            if (req.path.starts_with("/api/") || req.path.starts_with("/demo/"))
                res.set_header("Cache-Control", "no-store");
        });

    std::string proxy = config.trustedProxy;
    server.set_logger([proxy](const httplib::Request& req, const httplib::Response& res) {
        logEvent("info", "request",
                 {{"method", req.method},
                  {"path", loggablePath(req.path)},
                  {"status", res.status},
                  {"ip", clientIp(req, proxy)}});
    });
}

} // namespace kamusm::server
