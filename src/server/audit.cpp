#include "kamusm/server/audit.hpp"

#include "kamusm/server/log.hpp"

#include <array>
#include <ctime>
#include <utility>

namespace kamusm::server {

namespace {

constexpr std::array<std::pair<AuditEvent, std::string_view>, 17> names{{
    {AuditEvent::CodeIssued, "code_issued"},
    {AuditEvent::CodeUsed, "code_used"},
    {AuditEvent::CodeRejected, "code_rejected"},
    {AuditEvent::RateLimited, "rate_limited"},
    {AuditEvent::CardChecked, "card_checked"},
    {AuditEvent::CardRejected, "card_rejected"},
    {AuditEvent::SmsSent, "sms_sent"},
    {AuditEvent::ConfirmFailed, "confirm_failed"},
    {AuditEvent::SessionLocked, "session_locked"},
    {AuditEvent::Confirmed, "confirmed"},
    {AuditEvent::AuthorizationRefused, "authorization_refused"},
    {AuditEvent::CryptogramIssued, "cryptogram_issued"},
    {AuditEvent::CryptogramReissued, "cryptogram_reissued"},
    {AuditEvent::Outcome, "outcome"},
    {AuditEvent::HolderUpdated, "holder_updated"},
    {AuditEvent::CardEnrolled, "card_enrolled"},
    {AuditEvent::IssuerRefused, "issuer_refused"},
}};

Value orNull(const std::string& text) {
    if (text.empty()) return nullptr;
    return text;
}

} // namespace

std::string_view auditName(AuditEvent event) {
    for (const auto& [value, name] : names)
        if (value == event) return name;
    return "unknown";
}

void appendAudit(Tx& tx, const AuditEntry& entry) {
    std::string_view name = auditName(entry.event);
    tx.execute("INSERT INTO audit_log (at, event, session, tckn, ip, detail) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               {static_cast<std::int64_t>(std::time(nullptr)), std::string(name),
                orNull(entry.session), orNull(entry.tckn), orNull(entry.ip), entry.detail.dump()});
    tx.noteWrite(name);
    tx.afterCommit([name, ip = entry.ip] {
        logEvent("info", "audit", {{"audit_event", name}, {"ip", ip}});
    });
}

} // namespace kamusm::server
