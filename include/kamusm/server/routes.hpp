// Registers the server's routes on a Router.
#pragma once

#include "kamusm/server/config.hpp"
#include "kamusm/server/router.hpp"

namespace kamusm::server {

class Sessions;
class Demo;

// /api/v1/health and /api/v1/sessions…
void addSessionRoutes(Router& router, Sessions& sessions, bool demo);
// /internal/v1/… for the online-operations page: holders, cards, verification codes, on a port
// of their own. Every request must carry `Authorization: Bearer <token>`; failures are audited
// and limited per address.
void addIssuerRoutes(Router& router, Sessions& sessions, std::string token);
// /demo/… and the API reference /api/docs (demo mode only)
void addDemoRoutes(Router& router, Demo& demo);
// GET of any other path: the web app's files from `directory`.
void addStaticRoutes(Router& router, const std::string& directory);
// Security headers and the request log on every answer.
void installHttpPolicy(Router& router, const Config& config);

} // namespace kamusm::server
