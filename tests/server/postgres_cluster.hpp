// A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl from Debian's postgresql-15,
// run as `nobody` when the tests run as root (PostgreSQL refuses root), in a temporary directory,
// listening on a free loopback port; stopped and removed with the object.
#pragma once

#include <filesystem>
#include <string>

namespace kamusm::test {

class PostgresCluster {
public:
    // Throws std::runtime_error with initdb's or the server's log when it does not come up.
    PostgresCluster();
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    // A fresh, empty database of its own: "postgresql://kamusm@127.0.0.1:<port>/<name>".
    std::string createDatabase(const std::string& name);

private:
    void run(const std::string& command, const std::string& what);

    std::filesystem::path dir_;
    int port_ = 0;
    bool started_ = false;
};

// The cluster the suite shares (started on first use, stopped at exit).
PostgresCluster& postgresCluster();

} // namespace kamusm::test
