#include "postgres_cluster.hpp"

#include "kamusm/server/database.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kamusm::test {

namespace fs = std::filesystem;

namespace {

const fs::path binaries = "/usr/lib/postgresql/15/bin";

// A port nothing listens on now (the kernel's pick for port 0).
int freePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        close(fd);
        throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(address.sin_port);
}

std::string readAll(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// PostgreSQL will not run as root: as root the commands run as nobody.
std::string asServerUser(const std::string& command) {
    if (geteuid() != 0) return command;
    return "runuser -u nobody -- " + command;
}

} // namespace

PostgresCluster::PostgresCluster() {
    if (!fs::exists(binaries / "initdb"))
        throw std::runtime_error("PostgreSQL 15 is not installed (tests/setup-debian.sh)");
    std::string pattern = (fs::temp_directory_path() / "kamusm-pg-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    if (geteuid() == 0 && std::system(("chown nobody:nogroup " + dir_.string()).c_str()) != 0)
        throw std::runtime_error("cannot give " + dir_.string() + " to nobody");
    port_ = freePort();
    // Durability of the cluster itself is not under test here: fsync off keeps the suite quick.
    run(asServerUser((binaries / "initdb").string() + " -D " + (dir_ / "data").string() +
                     " -U kamusm --auth=trust --no-sync -E UTF8 > " +
                     (dir_ / "initdb.log").string() + " 2>&1"),
        "initdb");
    run(asServerUser((binaries / "pg_ctl").string() + " -D " + (dir_ / "data").string() + " -l " +
                     (dir_ / "server.log").string() +
                     " -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                     " -k " + dir_.string() + " -c fsync=off -c max_connections=200\" start > " +
                     (dir_ / "pg_ctl.log").string() + " 2>&1"),
        "pg_ctl start");
    started_ = true;
}

PostgresCluster::~PostgresCluster() {
    if (started_)
        std::system(asServerUser((binaries / "pg_ctl").string() + " -D " +
                                 (dir_ / "data").string() +
                                 " -m immediate -w stop > /dev/null 2>&1")
                        .c_str());
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

void PostgresCluster::run(const std::string& command, const std::string& what) {
    if (std::system(command.c_str()) != 0)
        throw std::runtime_error(what + " failed: " + readAll(dir_ / "initdb.log") +
                                 readAll(dir_ / "pg_ctl.log") + readAll(dir_ / "server.log"));
}

std::string PostgresCluster::createDatabase(const std::string& name) {
    std::string base = "postgresql://kamusm@127.0.0.1:" + std::to_string(port_) + "/";
    auto connection = server::openPostgres(base + "postgres");
    connection->query("CREATE DATABASE " + name, {});
    return base + name;
}

PostgresCluster& postgresCluster() {
    static PostgresCluster cluster;
    return cluster;
}

} // namespace kamusm::test
