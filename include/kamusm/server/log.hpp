// Structured logs: one JSON object per line on stderr. Callers never pass PINs, codes or
// passwords; request bodies are never logged.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace kamusm::server {

void logEvent(std::string_view level, std::string_view event, nlohmann::json fields = {});

} // namespace kamusm::server
