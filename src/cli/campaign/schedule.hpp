// A run's faults as they come due: each channel counts its events (USB transfers or PC/SC calls,
// requests to the backend, the holder's actions), and a fault strikes at the event its plan
// names, once. A schedule without faults only counts: that is how the campaign learns the size
// of a fault-free exchange.
#pragma once

#include "plan.hpp"

#include <vector>

namespace kamusm::cli::campaign {

class FaultSchedule {
public:
    explicit FaultSchedule(std::vector<PlannedFault> faults = {}) : faults_(std::move(faults)) {}

    // The next event of `channel`: the faults due at it (each returned once, and counted).
    std::vector<PlannedFault> strike(Channel channel);
    // Events seen so far on each channel.
    const ExchangeSize& events() const { return events_; }
    const std::vector<Fault>& fired() const { return fired_; }
    bool firedAny(Fault fault) const;

private:
    std::vector<PlannedFault> faults_;
    std::vector<bool> done_ = std::vector<bool>(faults_.size(), false);
    ExchangeSize events_{};
    std::vector<Fault> fired_;
};

} // namespace kamusm::cli::campaign
