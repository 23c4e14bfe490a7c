#include "kamusm/server/crash_point.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <string_view>

namespace kamusm::server {

namespace {

struct Target {
    bool set = false;
    CommitStage stage = CommitStage::Before;
    std::string event;
};

Target readTarget() {
    const char* text = std::getenv("KAMUSM_CRASH_AT");
    if (!text) return {};
    std::string_view spec(text);
    for (auto [prefix, stage] : {std::pair{std::string_view("before-commit:"), CommitStage::Before},
                                 std::pair{std::string_view("after-commit:"), CommitStage::After}})
        if (spec.starts_with(prefix)) return {true, stage, std::string(spec.substr(prefix.size()))};
    return {};
}

} // namespace

void crashPoint(CommitStage stage, const std::vector<std::string>& writes) {
    static const Target target = readTarget();
    if (!target.set || target.stage != stage) return;
    if (std::find(writes.begin(), writes.end(), target.event) != writes.end()) raise(SIGKILL);
}

} // namespace kamusm::server
