// The campaign's backend: one real kamusm-server process in demo mode, shared by every run and
// started again only by the server-restart fault. Its data directory (SQLite database, SMS
// outbox, logs) lives as long as the campaign.
#pragma once

#include <filesystem>
#include <string>

namespace kamusm::cli::campaign {

// kamusm-server, built next to pinctl.
std::filesystem::path serverBesidePinctl();

class ServerProcess {
public:
    // Starts `binary` on a fresh data directory (in /dev/shm when there is one: the campaign
    // tests the logic, not the disk). Throws std::runtime_error when it does not come up.
    explicit ServerProcess(std::filesystem::path binary);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Stops the server (SIGKILL: a crash; else SIGTERM) and starts it again on the same data
    // and port.
    void restart(bool kill);
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::filesystem::path database() const { return dataDir_ / "kamusm.db"; }
    const std::filesystem::path& dataDir() const { return dataDir_; }
    int restarts() const { return restarts_; }

private:
    void start();
    void stop(int signal);

    std::filesystem::path binary_;
    std::filesystem::path dataDir_;
    int pid_ = -1;
    int port_ = 0;
    int restarts_ = 0;
};

} // namespace kamusm::cli::campaign
