// The append-only audit log (SQLite table `audit_log`, guarded by triggers): every security event
// and every outcome a client reports. Never holds a PIN, code or password.
#pragma once

#include "kamusm/server/database.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace kamusm::server {

struct AuditEntry {
    std::string event;   // e.g. "code_used", "confirm_failed", "cryptogram_issued", "outcome"
    std::string session; // may be empty
    std::string tckn;    // may be empty
    std::string ip;
    nlohmann::json detail = nlohmann::json::object();
};

class AuditLog {
public:
    explicit AuditLog(Database& db) : db_(db) {}
    void append(const AuditEntry& entry);

private:
    Database& db_;
};

} // namespace kamusm::server
