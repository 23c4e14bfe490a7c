#include "server.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace kamusm::cli::campaign {

namespace fs = std::filesystem;

namespace {

// Limits far above what 100,000 runs of one holder need; everything else is the server's own.
const std::vector<std::string> limits = {
    "--sessions-per-holder",
    "1000000000",
    "--sms-per-holder",
    "1000000000",
    "--confirm-attempts-per-holder",
    "1000000000",
    "--confirm-attempts-per-ip",
    "1000000000",
    "--code-attempts-per-ip",
    "1000000000",
    "--sms-resend-interval",
    "0",
    "--threads",
    "2",
};

fs::path freshDataDir() {
    const fs::path base =
        fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string pattern = (base / "kamusm-campaign-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("cannot make a data directory in " + base.string());
    return pattern;
}

// The first line the server prints: "kamusm-server: listening on http://127.0.0.1:N …".
int readPort(int fd) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd ready{fd, POLLIN, 0};
        if (poll(&ready, 1, 200) <= 0) continue;
        char buffer[256];
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string line = text.substr(0, text.find('\n'));
    const auto colon = line.rfind(':');
    if (line.find("listening on") == std::string::npos || colon == std::string::npos) return 0;
    return std::atoi(line.c_str() + colon + 1);
}

} // namespace

fs::path serverBesidePinctl() {
    return fs::read_symlink("/proc/self/exe").parent_path() / "kamusm-server";
}

ServerProcess::ServerProcess(fs::path binary)
    : binary_(std::move(binary)), dataDir_(freshDataDir()) {
    start();
}

ServerProcess::~ServerProcess() {
    stop(SIGTERM);
    std::error_code ignored;
    fs::remove_all(dataDir_, ignored);
}

void ServerProcess::start() {
    // A restart keeps the port, as a service's does: clients only connect again.
    std::vector<std::string> arguments{binary_.string(),      "--demo",     "--port",
                                       std::to_string(port_), "--data-dir", dataDir_.string()};
    arguments.insert(arguments.end(), limits.begin(), limits.end());
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // The campaign killed or stopped must not leave its server behind.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        const int log =
            open((dataDir_ / "server.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(out[1], 1);
        dup2(log, 2);
        std::vector<char*> argv;
        for (std::string& argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    const int port = readPort(out[0]);
    close(out[0]);
    if (port == 0 || (port_ != 0 && port != port_)) {
        stop(SIGKILL);
        throw std::runtime_error("kamusm-server (" + binary_.string() + ") did not start; see " +
                                 (dataDir_ / "server.log").string());
    }
    port_ = port;
}

void ServerProcess::stop(int signal) {
    if (pid_ < 0) return;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

void ServerProcess::restart(bool crash) {
    stop(crash ? SIGKILL : SIGTERM);
    ++restarts_;
    start();
}

} // namespace kamusm::cli::campaign
