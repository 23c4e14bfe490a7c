#include "server_process.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kamusm::test {

namespace fs = std::filesystem;

namespace {

const char* serverBinary = KAMUSM_BINARY_DIR "/kamusm-server";

// fork + exec with stdout to `stdoutFd` and stderr to `stderrPath`.
int spawn(const std::vector<std::string>& arguments,
          const std::map<std::string, std::string>& environment, int stdoutFd,
          const std::string& stderrPath) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // A test binary that is killed (timeout, Ctrl-C) must not leave its server running.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        int err = open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(stdoutFd, 1);
        dup2(err, 2);
        for (const auto& [name, value] : environment)
            setenv(name.c_str(), value.c_str(), 1);
        std::vector<char*> argv{const_cast<char*>(serverBinary)};
        for (const std::string& argument : arguments)
            argv.push_back(const_cast<char*>(argument.c_str()));
        argv.push_back(nullptr);
        execv(serverBinary, argv.data());
        _exit(127);
    }
    return pid;
}

std::string readAll(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kamusm-server-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(std::vector<std::string> arguments,
                             std::map<std::string, std::string> environment) {
    static int counter = 0;
    stderrFile_ = fs::temp_directory_path() / ("kamusm-server-" + std::to_string(getpid()) + "-" +
                                               std::to_string(++counter) + ".err");
    arguments.insert(arguments.begin(), {"--port", "0"});
    int pipeFds[2];
    if (pipe(pipeFds) != 0) throw std::runtime_error("pipe failed");
    pid_ = spawn(arguments, environment, pipeFds[1], stderrFile_.string());
    close(pipeFds[1]);

    // The first stdout line names the port: "kamusm-server: listening on http://127.0.0.1:N";
    // with an issuer API, the next one its own: "kamusm-server: issuer API on http://…:M".
    std::string text;
    bool issuer = std::find(arguments.begin(), arguments.end(), "--issuer-port") != arguments.end();
    auto complete = [&] {
        std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
        return lines >= (issuer ? 2u : 1u);
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!complete() && std::chrono::steady_clock::now() < deadline) {
        pollfd fd{pipeFds[0], POLLIN, 0};
        if (poll(&fd, 1, 200) <= 0) continue;
        char buffer[256];
        ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    close(pipeFds[0]);
    std::string line = text.substr(0, text.find('\n'));
    auto colon = line.rfind(':');
    if (line.find("listening on") == std::string::npos || colon == std::string::npos) {
        stop();
        throw std::runtime_error("kamusm-server did not start: " + text + stderrText());
    }
    port_ = std::atoi(line.c_str() + colon + 1);
    if (auto at = text.find("issuer API on"); at != std::string::npos) {
        std::string second = text.substr(at, text.find('\n', at) - at);
        issuerPort_ = std::atoi(second.c_str() + second.rfind(':') + 1);
    }
    http_ = std::make_unique<backend::HttplibClient>(url());
    checked_ = std::make_unique<ContractCheckedClient>(*http_);
    client_ = std::make_unique<backend::BackendClient>(*checked_);
    for (int attempt = 0; attempt < 100; ++attempt) {
        try {
            runSync(client_->health());
            return;
        } catch (const backend::Error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    stop();
    throw std::runtime_error("kamusm-server does not answer /api/v1/health: " + stderrText());
}

ServerProcess::~ServerProcess() {
    stop();
    std::error_code ignored;
    fs::remove(stderrFile_, ignored);
}

int ServerProcess::stop() {
    if (pid_ < 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ServerProcess::stderrText() const {
    return readAll(stderrFile_);
}

int runServer(std::vector<std::string> arguments, std::string& output, int timeoutSeconds) {
    TempDir dir;
    fs::path out = dir.path() / "out";
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = spawn(arguments, {}, fd, (dir.path() / "err").string());
    close(fd);
    int status = 0;
    for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; ++waited) {
        if (waited > timeoutSeconds * 10) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            output = readAll(out) + readAll(dir.path() / "err");
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    output = readAll(out) + readAll(dir.path() / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace kamusm::test
