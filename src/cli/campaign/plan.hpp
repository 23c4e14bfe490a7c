// A run of the campaign drawn from (seed, run index) alone, so that any run can be replayed by
// itself: the card path and operation, the faults with their positions, and the PINs typed.
#pragma once

#include "faults.hpp"

#include "kamusm/backend/api.hpp"
#include "kamusm/sim/reader.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace kamusm::cli::campaign {

struct RunConfig {
    Transport transport = Transport::Ccid;
    sim::ReaderModel model = sim::ReaderModel::Acr39u; // the USB reader (CCID only)
    sim::CardProtocol protocol = sim::CardProtocol::T1;
    backend::Operation operation = backend::Operation::Change;
    backend::Confirmation confirmation = backend::Confirmation::Sms;
    auto operator<=>(const RunConfig&) const = default;
};
// "ccid acr39u t1 change sms"
std::string describe(const RunConfig& config);

struct PlannedFault {
    Fault fault;
    int position;          // the event of its channel it strikes at (0-based)
    std::uint32_t variant; // the fault's own choices (before or after, how long, how many)
};

struct RunPlan {
    RunConfig config;
    std::vector<PlannedFault> faults;
    std::string newPin;
    std::string wrongPin; // change: not the card's PIN; create, unblock: a repeat that differs
};

// What the campaign may draw from (pinctl campaign's --model, --card, --transport, --op).
struct Filters {
    std::vector<sim::ReaderModel> models;
    std::vector<sim::CardProtocol> protocols;
    std::vector<Transport> transports;
    std::vector<backend::Operation> operations;
};

// How many events of each channel a run of a configuration has without faults.
using ExchangeSize = std::array<int, 3>; // indexed by Channel

class Planner {
public:
    Planner(std::uint64_t seed, Filters filters) : seed_(seed), filters_(std::move(filters)) {}

    RunConfig config(std::uint64_t run) const;
    // The whole plan; `size` is the fault-free exchange of config(run).
    RunPlan plan(std::uint64_t run, const ExchangeSize& size) const;

private:
    std::uint64_t seed_;
    Filters filters_;
};

} // namespace kamusm::cli::campaign
