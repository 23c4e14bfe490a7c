// The test hook behind the kill -9 tests: with KAMUSM_CRASH_AT="before-commit:<audit event>" or
// "after-commit:<audit event>" in its environment, the server kills itself with SIGKILL at that
// point of the first transaction that writes the event. Without the variable it does nothing.
#pragma once

#include <string>
#include <vector>

namespace kamusm::server {

enum class CommitStage { Before, After };

void crashPoint(CommitStage stage, const std::vector<std::string>& writes);

} // namespace kamusm::server
