// One campaign run end to end: the card in its starting state, the reader path, the wizard over
// the shared server, the holder, then the invariants. Shared by the whole campaign: the server,
// its records and the enrolled card.
#pragma once

#include "http.hpp"
#include "invariants.hpp"
#include "plan.hpp"
#include "schedule.hpp"
#include "server.hpp"
#include "store.hpp"

#include "kamusm/backend/httplib_client.hpp"
#include "kamusm/sim/card.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kamusm::cli::campaign {

struct RunResult {
    Ending ending = Ending::Stuck;
    std::vector<Fault> fired;
    std::vector<std::string> violations;
};

class Runner {
public:
    // Starts the server and enrols the demo card once.
    explicit Runner(std::filesystem::path serverBinary);

    RunResult run(const RunPlan& plan, FaultSchedule& schedule);
    // The events of a fault-free run of `config` on each channel (measured once per config).
    const ExchangeSize& sizeOf(const RunConfig& config);
    // The violations of those fault-free runs (each config's, once).
    const std::vector<std::string>& cleanViolations() const { return cleanViolations_; }
    ServerProcess& server() { return server_; }

private:
    sim::CardSetup setupFor(sim::CardProtocol protocol) const;

    ServerProcess server_;
    ServerStore store_;
    backend::HttplibClient demoHttp_;
    backend::BackendClient demo_;
    FaultyHttp http_;
    backend::DemoCard enrolled_;
    std::map<RunConfig, ExchangeSize> sizes_;
    std::vector<std::string> cleanViolations_;
};

} // namespace kamusm::cli::campaign
