#include "kamusm/server/router.hpp"

#include "kamusm/server/http_util.hpp"
#include "kamusm/server/log.hpp"

namespace kamusm::server {

using backend::Problem;

void Router::add(Method method, const std::string& pattern, Handler handler) {
    routes_.push_back({method, std::regex(pattern), std::move(handler)});
}

void Router::finish(const Request& request, Response& response) const {
    if (finish_) finish_(request, response);
}

Response Router::handle(Request request) const {
    Response response;
    const Route* match = nullptr;
    bool otherMethod = false;
    std::smatch groups;
    for (const Route& route : routes_) {
        if (!std::regex_match(request.path, groups, route.pattern)) continue;
        if (route.method != request.method) {
            otherMethod = true;
            continue;
        }
        match = &route;
        break;
    }
    if (!match) {
        if (otherMethod)
            sendProblem(response,
                        ApiError(Problem::InvalidRequest, "this method is not allowed here"), 405);
        else
            sendProblem(response, ApiError(Problem::NotFound, "no such resource"));
        finish(request, response);
        return response;
    }
    request.matches.assign(groups.begin() + 1, groups.end());
    try {
        match->handler(request, response);
    } catch (const ApiError& error) {
        response = Response();
        sendProblem(response, error);
    } catch (const std::exception& error) {
        logEvent("error", "handler_failed",
                 {{"path", loggablePath(request.path)}, {"error", error.what()}});
        response = Response();
        sendProblem(response, ApiError(Problem::Internal, "internal error"));
    }
    finish(request, response);
    return response;
}

} // namespace kamusm::server
