// Sliding-window limits per key (an IP address, a holder). In memory: a restart forgets them.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kamusm::server {

class RateLimiter {
public:
    RateLimiter(int maxHits, int windowSeconds) : maxHits_(maxHits), window_(windowSeconds) {}
    // Counts one hit for `key`; when the key already used its window, returns the seconds until
    // the oldest hit leaves it (and does not count the refused hit).
    std::optional<int> hit(const std::string& key);

private:
    using Clock = std::chrono::steady_clock;
    int maxHits_;
    std::chrono::seconds window_;
    std::map<std::string, std::deque<Clock::time_point>> hits_;
    std::mutex mutex_;
};

} // namespace kamusm::server
