// Sliding-window limits per key (an IP address, a holder), kept in the database so that every
// instance counts the same hits. A refused hit writes nothing but, once per limit, key and
// window, a `rate_limited` audit row: a storm of refusals does not grow the audit log.
#pragma once

#include "kamusm/server/config.hpp"
#include "kamusm/server/database.hpp"

#include <optional>
#include <string>

namespace kamusm::server {

enum class Limit {
    CodeAttemptsPerIp,        // POST /sessions
    SessionsPerHolder,        // sessions opened
    ConfirmAttemptsPerIp,     // POST /confirm
    ConfirmAttemptsPerHolder, // POST /confirm, across the holder's sessions
    SmsPerHolder,             // SMS sent
    IssuerFailuresPerIp,      // issuer API requests without the right token
};

class RateLimits {
public:
    explicit RateLimits(const Config& config) : config_(config) {}

    // When `key` used up `limit`'s window: the seconds until it has room again.
    std::optional<int> check(Tx& tx, Limit limit, const std::string& key, const std::string& ip);
    // check(), and when there is room, counts one hit.
    std::optional<int> hit(Tx& tx, Limit limit, const std::string& key, const std::string& ip);
    // Drops hits older than the window (run now and then).
    void purge(Tx& tx);

private:
    const Config& config_;
};

} // namespace kamusm::server
