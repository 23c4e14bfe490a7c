// Cross-origin access to the API for the Isolated Web App build: an IWA's origin is
// isolated-app://<Web Bundle ID>, never the server's own, so its fetches are CORS requests.
// Only the configured IWA origins are answered; every other origin gets no CORS header at all,
// so the browser keeps its answers from the page.
#pragma once

#include "kamusm/server/router.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kamusm::server {

// "isolated-app://<id>,isolated-app://<id>" → the origins; ConfigError when one is not an
// isolated-app origin with a Web Bundle ID (56 base32 characters, lowercase).
std::vector<std::string> parseAppOrigins(std::string_view list);

// The CORS answers for `origins` on /api/ and /demo/ (demo mode only has the latter): preflights
// (OPTIONS) and the Access-Control-Allow-Origin of the answers themselves. No route is added
// without origins.
void addCorsRoutes(Router& router, const std::vector<std::string>& origins);
// Adds the CORS headers to an answer of /api/ or /demo/ for an allowed Origin.
void addCorsHeaders(const std::vector<std::string>& origins, const Request& request,
                    Response& response);

} // namespace kamusm::server
