// The append-only audit log (table `audit_log`, guarded by triggers): every security event and
// every outcome a client reports, written in the transaction of the state change it records.
// Never holds a PIN, code or password.
#pragma once

#include "kamusm/server/database.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace kamusm::server {

enum class AuditEvent {
    CodeIssued,
    CodeUsed,
    CodeRejected,
    RateLimited, // once per limit and key and window, not per refused request
    CardChecked,
    CardRejected,
    SmsSent,
    ConfirmFailed,
    SessionLocked,
    Confirmed,
    AuthorizationRefused,
    CryptogramIssued,
    CryptogramReissued, // the same challenge again: an answer that was lost, fetched again
    Outcome,
    HolderUpdated,
    CardEnrolled,
    IssuerRefused, // a request to the issuer API without its token
};

// The name stored in the `event` column ("code_used" …).
std::string_view auditName(AuditEvent event);

struct AuditEntry {
    AuditEvent event;
    std::string session; // may be empty
    std::string tckn;    // may be empty
    std::string ip;
    nlohmann::json detail = nlohmann::json::object();
};

// Appends `entry` inside `tx`: it is there exactly when the state change beside it is.
void appendAudit(Tx& tx, const AuditEntry& entry);

} // namespace kamusm::server
