#include "schedule.hpp"

#include <algorithm>

namespace kamusm::cli::campaign {

std::vector<PlannedFault> FaultSchedule::strike(Channel channel) {
    const int event = events_[static_cast<std::size_t>(channel)]++;
    std::vector<PlannedFault> due;
    for (std::size_t i = 0; i < faults_.size(); ++i) {
        const PlannedFault& planned = faults_[i];
        if (done_[i] || infoOf(planned.fault).channel != channel || planned.position != event)
            continue;
        done_[i] = true;
        fired_.push_back(planned.fault);
        due.push_back(planned);
    }
    return due;
}

bool FaultSchedule::firedAny(Fault fault) const {
    return std::find(fired_.begin(), fired_.end(), fault) != fired_.end();
}

} // namespace kamusm::cli::campaign
