// The PIN operation sessions: verification code → card check → confirmation (SMS code or web
// password) → one unblock/create cryptogram → the client's outcome. State lives in SQLite so a
// restart keeps sessions; every security event goes to the audit log.
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
    Sessions(const Config& config, Database& db, SmsGateway& sms, Bytes masterKey,
             Bytes caCertificate);

    // Each throws ApiError with the problem the client gets.
    backend::Session start(const std::string& code, const std::string& ip);
    void checkCard(const std::string& id, const std::string& serial, const Bytes& certificate,
                   const std::string& ip);
    backend::SmsSent sendSms(const std::string& id, const std::string& ip);
    void confirm(const std::string& id, backend::Confirmation kind, const std::string& secret,
                 const std::string& ip);
    Bytes authorize(const std::string& id, const std::string& serial, const Bytes& challenge,
                    const std::string& ip);
    void reportOutcome(const std::string& id, backend::Outcome outcome, const std::string& detail,
                       const std::string& ip);

    // Stores a fresh verification code (what the online-operations page does) and returns it.
    std::string issueCode(const std::string& tckn, backend::Operation operation,
                          backend::Confirmation confirmation);

    const Config& config() const { return config_; }
    int codeLifetime() const { return config_.codeLifetime; }
    Holders& holders() { return holders_; }
    AuditLog& audit() { return audit_; }

private:
    struct State;
    void purgeOld();
    State load(const std::string& id, bool allowInactive = false);
    [[noreturn]] void fail(const State& state, const std::string& ip, const std::string& event,
                           backend::Problem problem, const std::string& detail);
    void limit(RateLimiter& limiter, const std::string& key, const std::string& ip,
               const std::string& what);

    const Config& config_;
    Database& db_;
    SmsGateway& sms_;
    Holders holders_;
    AuditLog audit_;
    Bytes masterKey_;
    Bytes caCertificate_;
    RateLimiter codesPerIp_;
    RateLimiter sessionsPerHolder_;
    RateLimiter confirmsPerIp_;
    RateLimiter confirmsPerHolder_;
    RateLimiter smsPerHolder_;
};

} // namespace kamusm::server
