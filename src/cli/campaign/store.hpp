// What the campaign reads of the server's own records, from its SQLite database (read-only,
// beside the running server): the audit log a run left, and the SMS the holder's phone got.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace kamusm::cli::campaign {

struct AuditRow {
    std::int64_t id;
    std::string event;   // "code_used", "cryptogram_issued", "outcome" …
    std::string session; // empty when none
    std::string detail;  // JSON
};

struct Sms {
    std::int64_t id;
    std::string code;
};

class ServerStore {
public:
    explicit ServerStore(const std::filesystem::path& database);
    ~ServerStore();
    ServerStore(const ServerStore&) = delete;
    ServerStore& operator=(const ServerStore&) = delete;

    std::int64_t lastAuditId();
    std::vector<AuditRow> auditAfter(std::int64_t id);
    std::int64_t lastSmsId();
    // The newest SMS after `id`, if any.
    std::optional<Sms> newestSmsAfter(std::int64_t id);

private:
    sqlite3* db_ = nullptr;
};

} // namespace kamusm::cli::campaign
