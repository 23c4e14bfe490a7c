#include "http.hpp"

#include "kamusm/backend/error.hpp"

namespace kamusm::cli::campaign {

namespace {

// The client gives up on an answer after this long (HttplibClient's and the page's timeout).
constexpr int clientTimeoutSeconds = 10;

backend::HttpResponse gatewayError(int status) {
    return {status, "<html><body>Bad gateway</body></html>", {{"content-type", "text/html"}}};
}

[[noreturn]] void dropped(const char* why) {
    throw backend::Error(backend::ErrorCode::Network, std::string("connection dropped ") + why);
}

} // namespace

FaultyHttp::FaultyHttp(ServerProcess& server)
    : server_(server),
      client_(std::make_unique<backend::HttplibClient>(server_.url(), clientTimeoutSeconds)) {}

void FaultyHttp::startRun(FaultSchedule& schedule, ManualClock& clock) {
    schedule_ = &schedule;
    clock_ = &clock;
    touched_.clear();
}

void FaultyHttp::endRun() {
    schedule_ = nullptr;
    clock_ = nullptr;
}

backend::HttpResponse FaultyHttp::forward(const backend::HttpRequest& request) {
    return runSync(client_->send(request));
}

// Each fault strikes before the server sees the request or after it has done the work, as the
// variant says: the second kind is the one a client can least tell from the first. Requests
// whose answer a fault took away are noted for the audit checks.
Task<backend::HttpResponse> FaultyHttp::send(backend::HttpRequest request) {
    const std::vector<PlannedFault> due =
        schedule_ ? schedule_->strike(Channel::Backend) : std::vector<PlannedFault>{};
    for (const PlannedFault& planned : due) {
        const auto lost = [&] { touched_.push_back({request.path, planned.fault}); };
        const bool after = planned.variant % 2 == 1;
        switch (planned.fault) {
        case Fault::ServerError:
            lost();
            if (!after) co_return gatewayError(503);
            forward(request);
            co_return gatewayError(502);
        case Fault::NetworkDrop:
            lost();
            if (after) forward(request);
            dropped(after ? "after the request" : "before the request");
        case Fault::ServerRestart:
            switch (planned.variant % 3) {
            case 0: // a graceful restart; the request goes to the new process
                server_.restart(false);
                break;
            case 1: // a crash before the request: it is lost
                lost();
                server_.restart(true);
                dropped("by a server crash");
            default: // the work committed, then a crash before the answer
                lost();
                forward(request);
                server_.restart(true);
                dropped("by a server crash after the work");
            }
            break;
        case Fault::SlowServer: {
            const int seconds = 1 + static_cast<int>(planned.variant % 40);
            backend::HttpResponse response = forward(request);
            clock_->advanceSeconds(seconds);
            if (seconds <= clientTimeoutSeconds) co_return response;
            lost();
            throw backend::Error(backend::ErrorCode::Timeout, "the server answered too late");
        }
        default:
            break;
        }
    }
    co_return forward(request);
}

} // namespace kamusm::cli::campaign
