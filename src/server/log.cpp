#include "kamusm/server/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace kamusm::server {

namespace {

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
    std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(millis.count()));
    return text;
}

} // namespace

void logEvent(std::string_view level, std::string_view event, nlohmann::json fields) {
    nlohmann::json line = {{"ts", timestamp()}, {"level", level}, {"event", event}};
    if (fields.is_object()) line.update(fields);
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

} // namespace kamusm::server
