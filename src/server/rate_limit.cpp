#include "kamusm/server/rate_limit.hpp"

#include "kamusm/server/audit.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <string_view>

namespace kamusm::server {

namespace {

struct LimitInfo {
    Limit limit;
    std::string_view name;
    int Config::*budget;
};

constexpr std::array<LimitInfo, 6> limits{{
    {Limit::CodeAttemptsPerIp, "code", &Config::codeAttemptsPerIp},
    {Limit::SessionsPerHolder, "session", &Config::sessionsPerHolder},
    {Limit::ConfirmAttemptsPerIp, "confirm-ip", &Config::confirmAttemptsPerIp},
    {Limit::ConfirmAttemptsPerHolder, "confirm-holder", &Config::confirmAttemptsPerHolder},
    {Limit::SmsPerHolder, "sms", &Config::smsPerHolder},
    {Limit::IssuerFailuresPerIp, "issuer", &Config::issuerFailuresPerIp},
}};

const LimitInfo& info(Limit limit) {
    return *std::find_if(limits.begin(), limits.end(),
                         [&](const LimitInfo& entry) { return entry.limit == limit; });
}

std::string limitKey(Limit limit, const std::string& key) {
    return std::string(info(limit).name) + ":" + key;
}

} // namespace

std::optional<int> RateLimits::check(Tx& tx, Limit limit, const std::string& key,
                                     const std::string& ip) {
    std::int64_t now = std::time(nullptr);
    std::int64_t windowStart = now - config_.rateWindow;
    std::string id = limitKey(limit, key);
    const std::int64_t budget = config_.*info(limit).budget;
    tx.lock("rate:" + id);
    // The newest `budget` hits in the window (there are never more: refused hits are not
    // counted), so a hit costs the same however busy the key.
    Rows hits = tx.query("SELECT at FROM rate_hits WHERE limit_key = ? AND at > ? "
                         "ORDER BY at DESC LIMIT ?",
                         {id, windowStart, budget});
    if (static_cast<std::int64_t>(hits.size()) < budget) return std::nullopt;
    // One audit row per window of refusals: written only when none is on record for it.
    auto refused = tx.queryOne("SELECT at FROM rate_refusals WHERE limit_key = ?", {id});
    if (!refused || refused->integer(0) <= windowStart) {
        tx.execute("INSERT INTO rate_refusals (limit_key, at) VALUES (?, ?) "
                   "ON CONFLICT (limit_key) DO UPDATE SET at = excluded.at",
                   {id, now});
        appendAudit(tx, {AuditEvent::RateLimited,
                         {},
                         limit == Limit::SessionsPerHolder ? key : std::string(),
                         ip,
                         {{"what", info(limit).name}}});
    }
    // The oldest of them leaves the window first.
    return static_cast<int>(
        std::max<std::int64_t>(1, hits.back().integer(0) + config_.rateWindow - now));
}

std::optional<int> RateLimits::hit(Tx& tx, Limit limit, const std::string& key,
                                   const std::string& ip) {
    if (auto retryAfter = check(tx, limit, key, ip)) return retryAfter;
    tx.execute("INSERT INTO rate_hits (limit_key, at) VALUES (?, ?)",
               {limitKey(limit, key), static_cast<std::int64_t>(std::time(nullptr))});
    return std::nullopt;
}

void RateLimits::purge(Tx& tx) {
    std::int64_t windowStart = static_cast<std::int64_t>(std::time(nullptr)) - config_.rateWindow;
    tx.execute("DELETE FROM rate_hits WHERE at <= ?", {windowStart});
    tx.execute("DELETE FROM rate_refusals WHERE at <= ?", {windowStart});
}

} // namespace kamusm::server
