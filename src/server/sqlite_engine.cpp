// The SQLite engine: one file in WAL mode, fsync on every commit (synchronous = FULL), writers
// serialised by BEGIN IMMEDIATE (also between processes sharing the file).
#include "kamusm/server/database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace kamusm::server {

namespace {

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

// Another process (a second instance on the same file) holds the write lock: try again every
// half millisecond for up to 5 s. SQLite's own busy timeout sleeps up to 100 ms between tries,
// long enough for the holder to take the lock again and again, so the waiter starves.
int waitForLock(void*, int tries) {
    constexpr int maxTries = 10000;
    if (tries >= maxTries) return 0;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    return 1;
}

class SqliteConnection : public Connection {
public:
    explicit SqliteConnection(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("cannot open the database " + path + ": " + message);
        }
        sqlite3_busy_handler(db_, waitForLock, nullptr);
        for (const char* pragma :
             {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"})
            query(pragma, {});
    }
    ~SqliteConnection() override { sqlite3_close(db_); }

    Engine engine() const override { return Engine::Sqlite; }

    Rows query(std::string_view sql, const std::vector<Value>& parameters) override {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
            SQLITE_OK)
            fail();
        Statement statement(raw, sqlite3_finalize);
        int index = 1;
        for (const Value& value : parameters)
            bind(raw, index++, value);
        Rows rows;
        for (int rc = sqlite3_step(raw); rc != SQLITE_DONE; rc = sqlite3_step(raw)) {
            if (rc != SQLITE_ROW) fail();
            rows.push_back(readRow(raw));
        }
        return rows;
    }

    std::int64_t changes() override { return sqlite3_changes(db_); }
    // BEGIN IMMEDIATE already made this transaction the only writer.
    void lock(const std::string&) override {}
    void begin() override { query("BEGIN IMMEDIATE", {}); }
    void commit() override { query("COMMIT", {}); }
    void rollback() override {
        // Fails only when SQLite already rolled back (after an error): nothing left to undo.
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

private:
    [[noreturn]] void fail() {
        int code = sqlite3_errcode(db_) & 0xFF;
        std::string message = std::string("database: ") + sqlite3_errmsg(db_);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) throw StorageConflict(message);
        throw std::runtime_error(message);
    }

    static void bind(sqlite3_stmt* statement, int index, const Value& value) {
        if (const auto* number = std::get_if<std::int64_t>(&value))
            sqlite3_bind_int64(statement, index, *number);
        else if (const auto* text = std::get_if<std::string>(&value))
            sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()),
                              SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(statement, index);
    }

    static Row readRow(sqlite3_stmt* statement) {
        Row row;
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            switch (sqlite3_column_type(statement, column)) {
            case SQLITE_NULL:
                row.values.emplace_back(nullptr);
                break;
            case SQLITE_INTEGER:
                row.values.emplace_back(sqlite3_column_int64(statement, column));
                break;
            default: {
                const void* data = sqlite3_column_blob(statement, column);
                auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement, column));
                row.values.emplace_back(data ? std::string(static_cast<const char*>(data), size)
                                             : std::string());
            }
            }
        }
        return row;
    }

    sqlite3* db_ = nullptr;
};

} // namespace

std::unique_ptr<Connection> openSqlite(const std::string& path) {
    return std::make_unique<SqliteConnection>(path);
}

} // namespace kamusm::server
