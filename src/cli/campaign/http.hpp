// The backend as the wizard reaches it in the campaign: the real server over loopback, with the
// backend channel's faults in the way (5xx answers, dropped connections, restarts, slow answers).
#pragma once

#include "schedule.hpp"
#include "server.hpp"

#include "kamusm/backend/http.hpp"
#include "kamusm/backend/httplib_client.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <memory>
#include <string>
#include <vector>

namespace kamusm::cli::campaign {

// The wizard's clock in the campaign: it moves only when a fault moves it (a slow server, an
// idle holder), so that every run is the same for its seed.
class ManualClock : public wizard::Clock {
public:
    std::int64_t nowMilliseconds() override { return now_; }
    void advanceSeconds(int seconds) { now_ += std::int64_t{seconds} * 1000; }

private:
    std::int64_t now_ = 1'000'000;
};

// A request the backend channel's faults touched, for the audit checks.
struct TouchedRequest {
    std::string path;
    Fault fault;
};

class FaultyHttp : public backend::HttpClient {
public:
    explicit FaultyHttp(ServerProcess& server);

    // The run's schedule and clock; cleared by endRun().
    void startRun(FaultSchedule& schedule, ManualClock& clock);
    void endRun();
    const std::vector<TouchedRequest>& touched() const { return touched_; }

    Task<backend::HttpResponse> send(backend::HttpRequest request) override;

private:
    // The server's answer; throws backend::Error{Network} when the server is not there.
    backend::HttpResponse forward(const backend::HttpRequest& request);

    ServerProcess& server_;
    std::unique_ptr<backend::HttplibClient> client_;
    FaultSchedule* schedule_ = nullptr;
    ManualClock* clock_ = nullptr;
    std::vector<TouchedRequest> touched_;
};

} // namespace kamusm::cli::campaign
