#include "kamusm/server/audit.hpp"

#include "kamusm/server/log.hpp"

#include <ctime>

namespace kamusm::server {

namespace {
Value orNull(const std::string& text) {
    if (text.empty()) return nullptr;
    return text;
}
} // namespace

void AuditLog::append(const AuditEntry& entry) {
    db_.execute("INSERT INTO audit_log (at, event, session, tckn, ip, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                {static_cast<std::int64_t>(std::time(nullptr)), entry.event, orNull(entry.session),
                 orNull(entry.tckn), orNull(entry.ip), entry.detail.dump()});
    logEvent("info", "audit", {{"audit_event", entry.event}, {"ip", entry.ip}});
}

} // namespace kamusm::server
