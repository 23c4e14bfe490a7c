#include "kamusm/server/database.hpp"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace kamusm::server {

namespace {

// The audit log has no UPDATE or DELETE path in the code, and the triggers refuse both.
constexpr const char* schema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS holders (
    tckn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    confirmation TEXT NOT NULL CHECK (confirmation IN ('sms', 'password')),
    birth_year INTEGER,
    password_salt BLOB,
    password_hash BLOB,
    password_iterations INTEGER
);
CREATE TABLE IF NOT EXISTS cards (
    serial TEXT PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    enrolled_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verification_codes (
    code_hash BLOB PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    operation TEXT NOT NULL,
    confirmation TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    operation TEXT NOT NULL,
    confirmation TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    card_serial TEXT,
    sms_code TEXT,
    sms_expires_at INTEGER,
    sms_sent_at INTEGER,
    tries_left INTEGER NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    authorized INTEGER NOT NULL DEFAULT 0,
    outcome TEXT
);
CREATE TABLE IF NOT EXISTS sms_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sent_at INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    text TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    session TEXT,
    tckn TEXT,
    ip TEXT,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

} // namespace

bool Row::isNull(std::size_t column) const {
    return std::holds_alternative<std::nullptr_t>(values.at(column));
}
std::int64_t Row::integer(std::size_t column) const {
    return std::get<std::int64_t>(values.at(column));
}
std::string Row::text(std::size_t column) const {
    return std::get<std::string>(values.at(column));
}

Database::Database(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open the database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
    executeScript(schema);
    // Databases made before holders had a birth year get the column.
    if (query("SELECT 1 FROM pragma_table_info('holders') WHERE name = 'birth_year'").empty())
        executeScript("ALTER TABLE holders ADD COLUMN birth_year INTEGER;");
}

Database::~Database() {
    sqlite3_close(db_);
}

void Database::executeScript(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error("database schema: " + message);
    }
}

std::vector<Row> Database::query(const std::string& sql, std::initializer_list<Value> parameters) {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK)
        throw std::runtime_error(std::string("database: ") + sqlite3_errmsg(db_));
    Statement statement(raw, sqlite3_finalize);
    int index = 1;
    for (const Value& value : parameters) {
        if (const auto* number = std::get_if<std::int64_t>(&value))
            sqlite3_bind_int64(raw, index, *number);
        else if (const auto* text = std::get_if<std::string>(&value))
            sqlite3_bind_text(raw, index, text->data(), static_cast<int>(text->size()),
                              SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(raw, index);
        ++index;
    }
    std::vector<Row> rows;
    for (;;) {
        int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW)
            throw std::runtime_error(std::string("database: ") + sqlite3_errmsg(db_));
        Row row;
        for (int column = 0; column < sqlite3_column_count(raw); ++column) {
            switch (sqlite3_column_type(raw, column)) {
            case SQLITE_NULL:
                row.values.emplace_back(nullptr);
                break;
            case SQLITE_INTEGER:
                row.values.emplace_back(sqlite3_column_int64(raw, column));
                break;
            default: {
                const void* data = sqlite3_column_blob(raw, column);
                auto size = static_cast<std::size_t>(sqlite3_column_bytes(raw, column));
                row.values.emplace_back(data ? std::string(static_cast<const char*>(data), size)
                                             : std::string());
            }
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::optional<Row> Database::queryOne(const std::string& sql,
                                      std::initializer_list<Value> parameters) {
    std::vector<Row> rows = query(sql, parameters);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

int Database::execute(const std::string& sql, std::initializer_list<Value> parameters) {
    std::lock_guard lock(mutex_);
    query(sql, parameters);
    return sqlite3_changes(db_);
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.mutex().lock();
    db_.execute("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.execute("ROLLBACK");
        } catch (const std::exception&) {
            // Nothing more to undo: SQLite already rolled back on the failed statement.
        }
    }
    db_.mutex().unlock();
}

void Transaction::commit() {
    db_.execute("COMMIT");
    done_ = true;
}

} // namespace kamusm::server
