// Registers the server's routes on a cpp-httplib server.
#pragma once

#include "kamusm/server/config.hpp"

#include <httplib.h>

namespace kamusm::server {

class Sessions;
class Demo;

// /api/v1/health and /api/v1/sessions…
void addSessionRoutes(httplib::Server& server, Sessions& sessions, bool demo);
// /internal/v1/… for the online-operations page: holders, cards, verification codes. Every
// request must carry `Authorization: Bearer <token>`.
void addIssuerRoutes(httplib::Server& server, Sessions& sessions, std::string token);
// /demo/… (demo mode only)
void addDemoRoutes(httplib::Server& server, Demo& demo);
// GET of any other path: the web app's files from `directory`.
void addStaticRoutes(httplib::Server& server, const std::string& directory);
// Body limit, security headers, problem bodies for httplib's own errors, request logs.
void installHttpPolicy(httplib::Server& server, const Config& config);

} // namespace kamusm::server
