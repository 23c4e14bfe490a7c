// The invariants checked after every run of the campaign: what a fault may never do to the card,
// the server's records or the app.
#pragma once

#include "holder.hpp"
#include "http.hpp"
#include "plan.hpp"
#include "store.hpp"

#include "kamusm/sim/card.hpp"

#include <string>
#include <vector>

namespace kamusm::cli::campaign {

// What a run left behind, gathered once the app, the owner and the readers are gone.
struct RunFacts {
    const RunPlan& plan;
    const sim::VirtualCard& card;
    const HolderReport& holder;
    std::vector<AuditRow> audit; // the rows the run added
    int wrongTriesConsumed = 0;  // tries the card counted for the holder's wrong PIN
    int otherTriesConsumed = 0;  // tries the card counted for any other PIN
    std::size_t tasksLeft = 0;   // owner tasks still running after close()
    long cardHolders = 0;        // owners of the card once the run's objects are gone
};

// "<invariant>: <what>" for each broken one; empty when the run kept them all.
std::vector<std::string> checkRun(const RunFacts& facts);

} // namespace kamusm::cli::campaign
