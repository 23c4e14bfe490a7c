// The PIN operation sessions: verification code → card check → confirmation (SMS code or web
// password) → one unblock/create cryptogram → the client's outcome. Each step is one
// transaction holding the state change and its audit row; a session whose outcome is recorded is
// closed for every step.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/server/audit.hpp"
#include "kamusm/server/config.hpp"
#include "kamusm/server/holders.hpp"
#include "kamusm/server/rate_limit.hpp"
#include "kamusm/server/sms.hpp"

namespace kamusm::server {

class Sessions {
public:
    Sessions(const Config& config, Database& db, SmsOutbox& sms, Bytes masterKey,
             Bytes caCertificate);

    // Each throws ApiError with the problem the client gets.
    backend::Session start(const std::string& code, const std::string& ip);
    void checkCard(const std::string& id, const std::string& serial, const Bytes& certificate,
                   const std::string& ip);
    backend::SmsSent sendSms(const std::string& id, const std::string& ip);
    void confirm(const std::string& id, backend::Confirmation kind, const std::string& secret,
                 const std::string& ip);
    // Once per session; the same card and challenge again get the same cryptogram (an answer
    // lost on the way is fetched again), any other challenge is authorization-used.
    Bytes authorize(const std::string& id, const std::string& serial, const Bytes& challenge,
                    const std::string& ip);
    void reportOutcome(const std::string& id, backend::Outcome outcome, const std::string& detail,
                       const std::string& ip);

    // Stores a fresh verification code (what the online-operations page does) and returns it.
    std::string issueCode(Tx& tx, const std::string& tckn, backend::Operation operation,
                          backend::Confirmation confirmation);
    // Drops spent codes, finished sessions and old rate-limit hits.
    void purge();

    const Config& config() const { return config_; }
    Database& database() { return db_; }
    RateLimits& limits() { return limits_; }

private:
    struct State;
    enum class Access { Active, Report };
    State load(Tx& tx, const std::string& id, Access access);
    [[noreturn]] void refuse(Tx& tx, const State& state, const std::string& ip, AuditEvent event,
                             backend::Problem problem, const std::string& detail);
    void limit(Tx& tx, Limit limit, const std::string& key, const std::string& ip);

    const Config& config_;
    Database& db_;
    SmsOutbox& sms_;
    RateLimits limits_;
    Bytes masterKey_;
    Bytes caCertificate_;
};

} // namespace kamusm::server
