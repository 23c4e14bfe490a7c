#include "kamusm/server/rate_limit.hpp"

namespace kamusm::server {

std::optional<int> RateLimiter::hit(const std::string& key) {
    std::lock_guard lock(mutex_);
    Clock::time_point now = Clock::now();
    std::deque<Clock::time_point>& times = hits_[key];
    while (!times.empty() && now - times.front() >= window_)
        times.pop_front();
    if (static_cast<int>(times.size()) >= maxHits_) {
        auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now);
        return std::max(1, static_cast<int>(wait.count()));
    }
    times.push_back(now);
    // Forget idle keys so that the map does not grow with every address ever seen.
    if (hits_.size() > 10000)
        std::erase_if(hits_, [&](const auto& entry) {
            return entry.second.empty() || now - entry.second.back() >= window_;
        });
    return std::nullopt;
}

} // namespace kamusm::server
