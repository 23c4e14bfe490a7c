// The PostgreSQL engine over libpq: text parameters ($1 … from the shared `?` SQL), READ
// COMMITTED transactions whose decisions follow an advisory lock (Tx::lock), deadlocks and
// concurrent inserts of one key reported as StorageConflict. (SERIALIZABLE would need the same
// locks: without them its retries pile up on a hot key, such as one holder's rate limit.)
#include "kamusm/server/database.hpp"

#include <libpq-fe.h>

#include <array>
#include <stdexcept>

namespace kamusm::server {

namespace {

// Type OIDs of pg_type that come back as integers.
constexpr std::array<Oid, 3> integerTypes{20, 21, 23}; // int8, int2, int4

// SQLSTATEs worth a second run of the transaction: serialization_failure, deadlock_detected,
// and unique_violation (two transactions inserting one key).
constexpr std::array<std::string_view, 3> conflictStates{"40001", "40P01", "23505"};

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// The shared SQL's `?` placeholders as $1, $2 … (no statement has a literal question mark).
std::string numbered(std::string_view sql) {
    std::string out;
    int index = 0;
    for (char c : sql) {
        if (c == '?')
            out += "$" + std::to_string(++index);
        else
            out += c;
    }
    return out;
}

class PostgresConnection : public Connection {
public:
    explicit PostgresConnection(const std::string& conninfo)
        : conn_(PQconnectdb(conninfo.c_str())) {
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
            std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
            PQfinish(conn_);
            throw std::runtime_error("cannot connect to PostgreSQL: " + message);
        }
        // "relation already exists, skipping" and the like are not for the server's log.
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
    }
    ~PostgresConnection() override { PQfinish(conn_); }

    Engine engine() const override { return Engine::Postgres; }

    Rows query(std::string_view sql, const std::vector<Value>& parameters) override {
        std::vector<std::string> texts;
        std::vector<const char*> values;
        texts.reserve(parameters.size());
        for (const Value& value : parameters) {
            if (const auto* number = std::get_if<std::int64_t>(&value)) {
                values.push_back(texts.emplace_back(std::to_string(*number)).c_str());
            } else if (const auto* text = std::get_if<std::string>(&value)) {
                values.push_back(text->c_str());
            } else {
                values.push_back(nullptr);
            }
        }
        std::string statement = numbered(sql);
        Result result(PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()),
                                   nullptr, values.data(), nullptr, nullptr, 0),
                      PQclear);
        ExecStatusType status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result.get());
        std::string affected = PQcmdTuples(result.get());
        changes_ = affected.empty() ? 0 : std::stoll(affected);
        return readRows(result.get());
    }

    std::int64_t changes() override { return changes_; }

    void lock(const std::string& key) override {
        query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {key});
    }

    void begin() override {
        // A connection the server lost (PostgreSQL restarted) is opened again once.
        if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
        query("BEGIN ISOLATION LEVEL READ COMMITTED", {});
    }
    void commit() override { query("COMMIT", {}); }
    void rollback() override { PQclear(PQexec(conn_, "ROLLBACK")); }

private:
    [[noreturn]] void fail(const PGresult* result) {
        const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        std::string message = std::string("database: ") + PQerrorMessage(conn_);
        for (std::string_view conflict : conflictStates)
            if (state && conflict == state) throw StorageConflict(message);
        throw std::runtime_error(message);
    }

    static Rows readRows(const PGresult* result) {
        Rows rows;
        int columns = PQnfields(result);
        for (int r = 0; r < PQntuples(result); ++r) {
            Row row;
            for (int c = 0; c < columns; ++c) {
                if (PQgetisnull(result, r, c)) {
                    row.values.emplace_back(nullptr);
                    continue;
                }
                std::string text(PQgetvalue(result, r, c),
                                 static_cast<std::size_t>(PQgetlength(result, r, c)));
                bool integer = std::find(integerTypes.begin(), integerTypes.end(),
                                         PQftype(result, c)) != integerTypes.end();
                if (integer)
                    row.values.emplace_back(static_cast<std::int64_t>(std::stoll(text)));
                else
                    row.values.emplace_back(std::move(text));
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    PGconn* conn_;
    std::int64_t changes_ = 0;
};

} // namespace

std::unique_ptr<Connection> openPostgres(const std::string& conninfo) {
    return std::make_unique<PostgresConnection>(conninfo);
}

} // namespace kamusm::server
