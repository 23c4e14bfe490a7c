// The server's storage: SQLite (one file, the default) or PostgreSQL (several instances share
// it), chosen by a connection string. Every state change runs in one transaction with its audit
// row. A transaction first locks what it decides on (Tx::lock: the session, the code, the
// rate-limit key), so that the rules that must hold across instances (single-use codes, OTP
// tries, rate limits, one cryptogram) are plain reads and writes after the lock: SQLite has one
// writer at a time anyway (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock
// and reads committed data after it.
#pragma once

#include "kamusm/server/api_error.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kamusm::server {

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;

struct Row {
    std::vector<Value> values;
    bool isNull(std::size_t column) const;
    std::int64_t integer(std::size_t column) const;
    std::string text(std::size_t column) const;
};
using Rows = std::vector<Row>;

enum class Engine { Sqlite, Postgres };

// A storage failure the transaction may succeed on when run again (deadlock, a unique key
// taken by a concurrent insert, a busy database).
class StorageConflict : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One connection of an engine; used by one transaction at a time. SQL uses `?` placeholders.
class Connection {
public:
    virtual ~Connection() = default;
    virtual Engine engine() const = 0;
    virtual Rows query(std::string_view sql, const std::vector<Value>& parameters) = 0;
    // Rows changed by the last INSERT/UPDATE/DELETE run through query().
    virtual std::int64_t changes() = 0;
    // Held until the transaction ends; another transaction locking the same key waits.
    virtual void lock(const std::string& key) = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
};

std::unique_ptr<Connection> openSqlite(const std::string& path);
std::unique_ptr<Connection> openPostgres(const std::string& conninfo);

// A refusal whose writes (its audit row, a spent try) are kept: transact() commits, then
// throws it on as the ApiError it is.
class RecordedFailure : public ApiError {
public:
    using ApiError::ApiError;
};

class Tx {
public:
    explicit Tx(Connection& connection) : connection_(connection) {}
    Engine engine() const { return connection_.engine(); }
    Rows query(std::string_view sql, std::initializer_list<Value> parameters = {});
    std::optional<Row> queryOne(std::string_view sql, std::initializer_list<Value> parameters = {});
    // Rows changed.
    std::int64_t execute(std::string_view sql, std::initializer_list<Value> parameters = {});
    // Serialises the transactions that decide on `key` (e.g. "session:<id>"), before they read.
    void lock(const std::string& key) { connection_.lock(key); }
    // Runs after a successful commit (e.g. handing an SMS to the gateway).
    void afterCommit(std::function<void()> action) { afterCommit_.push_back(std::move(action)); }
    // Names the write for the crash points (the audit events it appends).
    void noteWrite(std::string_view event) { writes_.emplace_back(event); }

private:
    friend class Database;
    Connection& connection_;
    std::vector<std::function<void()>> afterCommit_;
    std::vector<std::string> writes_;
};

class Database {
public:
    // `url`: "postgresql://…" / "postgres://…" (libpq URI) or "sqlite:<path>". The schema is
    // migrated to the newest version first. `connections`: PostgreSQL's pool size.
    Database(const std::string& url, int connections);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs `work(Tx&)` in one transaction and returns its result. A StorageConflict re-runs it
    // (work must have no effect outside the transaction but through afterCommit); a
    // RecordedFailure commits, then is thrown on; any other exception rolls back.
    template <typename Work> auto transact(Work&& work) -> decltype(work(std::declval<Tx&>())) {
        using Result = decltype(work(std::declval<Tx&>()));
        if constexpr (std::is_void_v<Result>) {
            run([&](Tx& tx) { work(tx); });
        } else {
            std::optional<Result> result;
            run([&](Tx& tx) { result.emplace(work(tx)); });
            return std::move(*result);
        }
    }

private:
    class Lease;
    void run(const std::function<void(Tx&)>& work);
    std::unique_ptr<Connection> acquire();
    void release(std::unique_ptr<Connection> connection);

    std::vector<std::unique_ptr<Connection>> idle_;
    std::mutex mutex_;
    std::condition_variable available_;
};

} // namespace kamusm::server
