#include "kamusm/server/cors.hpp"

#include "kamusm/server/config.hpp"

#include <algorithm>
#include <regex>

namespace kamusm::server {

namespace {

// The methods and request headers the app's fetch bridge uses (src/platform/web/fetch.js).
constexpr std::string_view allowedMethods = "GET, POST";
constexpr std::string_view allowedHeaders = "Content-Type";
// How long a browser may reuse a preflight's answer.
constexpr std::string_view preflightMaxAge = "600";

// The API, and the demo routes where they exist (demo mode): a demo build of the app enrols its
// virtual card there. Static files stay same-origin.
bool isCrossOriginPath(const std::string& path) {
    return path.starts_with("/api/") || path.starts_with("/demo/");
}

bool allowed(const std::vector<std::string>& origins, const std::string& origin) {
    return !origin.empty() && std::find(origins.begin(), origins.end(), origin) != origins.end();
}

} // namespace

std::vector<std::string> parseAppOrigins(std::string_view list) {
    // Ed25519 (and ECDSA P-256) Web Bundle IDs: 35 bytes in base32 without padding.
    static const std::regex origin("isolated-app://[a-z2-7]{56}");
    std::vector<std::string> origins;
    if (list.empty()) return origins;
    for (std::size_t start = 0;;) {
        const std::size_t comma = list.find(',', start);
        const std::string item(list.substr(start, comma - start));
        if (!std::regex_match(item, origin))
            throw ConfigError("--app-origins takes isolated-app://<Web Bundle ID> origins, "
                              "comma-separated; not \"" +
                              item + "\"");
        origins.push_back(item);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return origins;
}

void addCorsRoutes(Router& router, const std::vector<std::string>& origins) {
    if (origins.empty()) return;
    router.add(Method::Options, "/(api|demo)/.*",
               [origins](const Request& request, Response& response) {
                   const std::string origin = request.header("Origin");
                   if (!allowed(origins, origin) ||
                       request.header("Access-Control-Request-Method").empty()) {
                       response.status = 403;
                       return;
                   }
                   response.status = 204;
                   response.setHeader("Access-Control-Allow-Methods", std::string(allowedMethods));
                   response.setHeader("Access-Control-Allow-Headers", std::string(allowedHeaders));
                   response.setHeader("Access-Control-Max-Age", std::string(preflightMaxAge));
               });
}

void addCorsHeaders(const std::vector<std::string>& origins, const Request& request,
                    Response& response) {
    if (origins.empty() || !isCrossOriginPath(request.path)) return;
    // The answer depends on the Origin: caches must keep one per origin.
    response.setHeader("Vary", "Origin");
    const std::string origin = request.header("Origin");
    if (!allowed(origins, origin)) return;
    response.setHeader("Access-Control-Allow-Origin", origin);
}

} // namespace kamusm::server
