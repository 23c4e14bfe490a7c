#include "kamusm/server/database.hpp"

#include "kamusm/server/config.hpp"
#include "kamusm/server/crash_point.hpp"
#include "kamusm/server/migrations.hpp"

namespace kamusm::server {

namespace {

// A transaction that loses a conflict this often in a row has a problem no retry solves.
constexpr int maxAttempts = 8;

bool isPostgresUrl(const std::string& url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

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

Rows Tx::query(std::string_view sql, std::initializer_list<Value> parameters) {
    return connection_.query(sql, std::vector<Value>(parameters));
}

std::optional<Row> Tx::queryOne(std::string_view sql, std::initializer_list<Value> parameters) {
    Rows rows = query(sql, parameters);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::int64_t Tx::execute(std::string_view sql, std::initializer_list<Value> parameters) {
    query(sql, parameters);
    return connection_.changes();
}

// A connection taken from the pool for one transaction, given back on every path.
class Database::Lease {
public:
    explicit Lease(Database& db) : db_(db), connection_(db.acquire()) {}
    ~Lease() { db_.release(std::move(connection_)); }
    Connection& operator*() { return *connection_; }

private:
    Database& db_;
    std::unique_ptr<Connection> connection_;
};

Database::Database(const std::string& url, int connections) {
    if (isPostgresUrl(url)) {
        for (int i = 0; i < connections; ++i)
            idle_.push_back(openPostgres(url));
    } else if (url.starts_with("sqlite:")) {
        // One connection: SQLite has one writer at a time anyway (BEGIN IMMEDIATE).
        idle_.push_back(openSqlite(url.substr(7)));
    } else {
        throw ConfigError("--database must be postgresql://… or sqlite:<file>");
    }
    transact([](Tx& tx) { migrate(tx); });
}

Database::~Database() = default;

std::unique_ptr<Connection> Database::acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
}

void Database::release(std::unique_ptr<Connection> connection) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }
    available_.notify_one();
}

void Database::run(const std::function<void(Tx&)>& work) {
    for (int attempt = 1;; ++attempt) {
        std::vector<std::function<void()>> afterCommit;
        std::optional<RecordedFailure> failure;
        {
            Lease lease(*this);
            Tx tx(*lease);
            try {
                (*lease).begin();
                try {
                    work(tx);
                } catch (const RecordedFailure& recorded) {
                    failure = recorded;
                }
                crashPoint(CommitStage::Before, tx.writes_);
                (*lease).commit();
            } catch (const StorageConflict&) {
                (*lease).rollback();
                if (attempt == maxAttempts) throw;
                continue;
            } catch (...) {
                (*lease).rollback();
                throw;
            }
            crashPoint(CommitStage::After, tx.writes_);
            afterCommit = std::move(tx.afterCommit_);
        }
        // With the connection back in the pool: an action may run a transaction of its own.
        for (const auto& action : afterCommit)
            action();
        if (failure) throw *failure;
        return;
    }
}

} // namespace kamusm::server
