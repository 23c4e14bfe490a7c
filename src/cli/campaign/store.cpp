#include "store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace kamusm::cli::campaign {

namespace {

// One prepared statement, finalized with the object.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("the server's database: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(statement_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value) {
        sqlite3_bind_int64(statement_, index, value);
        return *this;
    }
    bool step() {
        const int result = sqlite3_step(statement_);
        if (result == SQLITE_ROW) return true;
        if (result == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("the server's database: ") + sqlite3_errstr(result));
    }
    std::int64_t integer(int column) { return sqlite3_column_int64(statement_, column); }
    std::string text(int column) {
        const auto* value = sqlite3_column_text(statement_, column);
        return value ? reinterpret_cast<const char*>(value) : "";
    }

private:
    sqlite3_stmt* statement_ = nullptr;
};

} // namespace

ServerStore::ServerStore(const std::filesystem::path& database) {
    if (sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        const std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open the server's database " + database.string() + ": " +
                                 error);
    }
    sqlite3_busy_timeout(db_, 10'000); // the server may be committing
}

ServerStore::~ServerStore() {
    sqlite3_close(db_);
}

std::int64_t ServerStore::lastAuditId() {
    Statement last(db_, "SELECT COALESCE(MAX(id), 0) FROM audit_log");
    last.step();
    return last.integer(0);
}

std::vector<AuditRow> ServerStore::auditAfter(std::int64_t id) {
    Statement rows(db_, "SELECT id, event, COALESCE(session, ''), detail FROM audit_log "
                        "WHERE id > ? ORDER BY id");
    rows.bind(1, id);
    std::vector<AuditRow> found;
    while (rows.step())
        found.push_back({rows.integer(0), rows.text(1), rows.text(2), rows.text(3)});
    return found;
}

std::int64_t ServerStore::lastSmsId() {
    Statement last(db_, "SELECT COALESCE(MAX(id), 0) FROM sms_outbox");
    last.step();
    return last.integer(0);
}

std::optional<Sms> ServerStore::newestSmsAfter(std::int64_t id) {
    Statement newest(db_, "SELECT id, code FROM sms_outbox WHERE id > ? ORDER BY id DESC LIMIT 1");
    newest.bind(1, id);
    if (!newest.step()) return std::nullopt;
    return Sms{newest.integer(0), newest.text(1)};
}

} // namespace kamusm::cli::campaign
