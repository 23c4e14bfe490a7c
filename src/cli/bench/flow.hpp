// One PIN operation end to end as `pinctl bench` times it: the wizard, a virtual card in a reader
// model reached through our CCID stack or through PC/SC, and the real kamusm-server in demo mode
// over loopback (started once, as the fault campaign does). The app's time is what it spends
// between the holder's inputs (the code entered … the done screen), the holder's typing and the
// simulator's own work left out, the card line's modelled time put in.
#pragma once

#include "card_line.hpp"
#include "meters.hpp"

#include "../campaign/server.hpp"
#include "../campaign/store.hpp"

#include "kamusm/backend/api.hpp"
#include "kamusm/backend/httplib_client.hpp"

#include <string>
#include <vector>

namespace kamusm::cli::bench {

enum class Path { Ccid, Pcsc };
std::string_view pathId(Path path); // "ccid", "pcsc"

struct FlowConfig {
    sim::ReaderModel model = sim::ReaderModel::Acr39u;
    Path path = Path::Ccid;
    sim::CardProtocol protocol = sim::CardProtocol::T1;
    backend::Operation operation = backend::Operation::Unblock;
};

// One request to the backend, named by what it is for.
struct RoundTrip {
    std::string_view name;
    double seconds = 0;
};

struct FlowMeasurement {
    double wireSeconds = 0;   // modelled card line time (sim::LineStatistics)
    double stackSeconds = 0;  // host stack: the transport and the CCID stack, simulator excluded
    double serverSeconds = 0; // the requests to the backend, loopback and server work
    double restSeconds = 0;   // everything else of the app (wizard, certificate, self-test check)
    double appSeconds() const { return wireSeconds + stackSeconds + serverSeconds + restSeconds; }
    std::vector<RoundTrip> roundTrips;
    CardMeter card;
    sim::LineStatistics line;
    LineParameters lineParameters;
    std::size_t certificateSize = 0;
};

class FlowBench {
public:
    explicit FlowBench(std::filesystem::path serverBinary);

    // Throws std::runtime_error when the flow does not reach the done screen.
    FlowMeasurement run(const FlowConfig& config);

    static constexpr std::string_view newPin = "24681357";

private:
    campaign::ServerProcess server_;
    campaign::ServerStore store_;
    backend::HttplibClient http_;
    backend::BackendClient demo_;
    backend::DemoCard enrolled_;
};

} // namespace kamusm::cli::bench
