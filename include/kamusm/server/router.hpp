// Routes requests to handlers by method and path pattern (std::regex, whole path), and turns a
// handler's ApiError into its problem document and any other exception into a bare 500.
#pragma once

#include "kamusm/server/http.hpp"

#include <regex>
#include <string>
#include <vector>

namespace kamusm::server {

class Router {
public:
    void add(Method method, const std::string& pattern, Handler handler);
    // Runs on every answer, routed or refused by the HTTP layer (security headers, the log).
    void onAnswer(Handler finish) { finish_ = std::move(finish); }

    // 404 when no pattern matches the path, 405 when only another method's does.
    Response handle(Request request) const;
    void finish(const Request& request, Response& response) const;

private:
    struct Route {
        Method method;
        std::regex pattern;
        Handler handler;
    };
    std::vector<Route> routes_;
    Handler finish_;
};

} // namespace kamusm::server
