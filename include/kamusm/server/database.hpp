// A thin SQLite wrapper: one connection, parameterised statements only, WAL journal.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

struct sqlite3;

namespace kamusm::server {

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;

struct Row {
    std::vector<Value> values;
    bool isNull(std::size_t column) const;
    std::int64_t integer(std::size_t column) const;
    std::string text(std::size_t column) const; // BLOBs come back as their bytes
};

class Database {
public:
    // Opens (creating) the file and applies the schema.
    explicit Database(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs one statement with `?` placeholders bound in order; returns every row.
    std::vector<Row> query(const std::string& sql, std::initializer_list<Value> parameters = {});
    std::optional<Row> queryOne(const std::string& sql,
                                std::initializer_list<Value> parameters = {});
    // Rows changed by an INSERT/UPDATE/DELETE.
    int execute(const std::string& sql, std::initializer_list<Value> parameters = {});

    // Serialises the request handlers' use of the connection (httplib runs a thread pool).
    std::recursive_mutex& mutex() { return mutex_; }

private:
    void executeScript(const char* sql);

    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
};

// A transaction that rolls back unless commit() ran.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

} // namespace kamusm::server
