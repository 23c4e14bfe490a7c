// Runs a real kamusm-server process on loopback for the tests and talks to it over HTTP.
#pragma once

#include "contract_check.hpp"

#include "kamusm/backend/api.hpp"
#include "kamusm/backend/httplib_client.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kamusm::test {

// A fresh temporary directory, removed with the object.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class ServerProcess {
public:
    // Starts `kamusm-server --port 0 <arguments>` and waits until /api/v1/health answers.
    // Throws std::runtime_error with the server's stderr when it does not come up.
    explicit ServerProcess(std::vector<std::string> arguments,
                           std::map<std::string, std::string> environment = {});
    ~ServerProcess();

    // SIGTERM and wait; returns the exit status (-1 when killed by a signal).
    int stop();
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }
    int pid() const { return pid_; }
    // The issuer API's own listener (with --issuer-port), else 0.
    std::string issuerUrl() const { return "http://127.0.0.1:" + std::to_string(issuerPort_); }
    // Each exchange through these is checked against src/server/openapi.yaml.
    backend::HttpClient& http() { return *checked_; }
    backend::BackendClient& client() { return *client_; }
    std::string stderrText() const;

private:
    int pid_ = -1;
    int port_ = 0;
    int issuerPort_ = 0;
    std::filesystem::path stderrFile_;
    std::unique_ptr<backend::HttplibClient> http_;
    std::unique_ptr<ContractCheckedClient> checked_;
    std::unique_ptr<backend::BackendClient> client_;
};

// Runs kamusm-server to completion (for configurations that must fail); returns the exit
// status and fills `output` with stdout + stderr.
int runServer(std::vector<std::string> arguments, std::string& output, int timeoutSeconds = 20);

} // namespace kamusm::test
