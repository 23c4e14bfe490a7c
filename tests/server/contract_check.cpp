#include "contract_check.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

extern char** environ;

namespace kamusm::test {

namespace {

// The node process, started on first use and kept for the program's life.
class Checker {
public:
    Checker() {
        int toChild[2], fromChild[2];
        // Close-on-exec: the servers the tests start must not hold the checker's pipes.
        if (pipe2(toChild, O_CLOEXEC) != 0 || pipe2(fromChild, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0);
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1);
        posix_spawn_file_actions_addclose(&actions, toChild[1]);
        posix_spawn_file_actions_addclose(&actions, fromChild[0]);
        std::string script = KAMUSM_SOURCE_DIR "/tests/contract/check-stream.mjs";
        char* argv[] = {const_cast<char*>("node"), script.data(), nullptr};
        pid_t pid = -1;
        int rc = posix_spawnp(&pid, "node", &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(toChild[0]);
        close(fromChild[1]);
        if (rc != 0) throw std::runtime_error("cannot run node for the contract check");
        // The tests must not die of SIGPIPE should the checker end.
        signal(SIGPIPE, SIG_IGN);
        in_ = fdopen(toChild[1], "w");
        out_ = fdopen(fromChild[0], "r");
        std::string first = readLine();
        if (first != "\"ready\"")
            throw std::runtime_error("the contract check did not start (" + first +
                                     "); run tests/contract/install.sh");
    }

    std::vector<std::string> check(const nlohmann::json& exchange) {
        std::lock_guard lock(mutex_);
        std::string line = exchange.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (std::fprintf(in_, "%s\n", line.c_str()) < 0 || std::fflush(in_) != 0)
            throw std::runtime_error("the contract check stopped");
        auto answer = nlohmann::json::parse(readLine(), nullptr, false);
        if (!answer.is_array()) throw std::runtime_error("the contract check stopped");
        return answer.get<std::vector<std::string>>();
    }

private:
    std::string readLine() {
        std::string line;
        for (int c; (c = std::fgetc(out_)) != EOF && c != '\n';)
            line += static_cast<char>(c);
        return line;
    }

    FILE* in_ = nullptr;
    FILE* out_ = nullptr;
    std::mutex mutex_;
};

nlohmann::json headersJson(const std::map<std::string, std::string>& headers) {
    nlohmann::json result = nlohmann::json::object();
    for (const auto& [name, value] : headers) {
        std::string lower = name;
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result[lower] = value;
    }
    return result;
}

} // namespace

std::vector<std::string> contractViolations(const Exchange& exchange) {
    static Checker checker;
    nlohmann::json line{{"method", exchange.method},
                        {"path", exchange.path},
                        {"status", exchange.status},
                        {"headers", headersJson(exchange.headers)},
                        {"body", exchange.body}};
    if (exchange.request)
        line["request"] = {{"headers", headersJson(exchange.request->headers)},
                           {"body", exchange.request->body}};
    return checker.check(line);
}

void checkContract(const Exchange& exchange) {
    for (const std::string& violation : contractViolations(exchange))
        FAIL_CHECK("not as src/server/openapi.yaml says: " << violation);
}

Task<backend::HttpResponse> ContractCheckedClient::send(backend::HttpRequest request) {
    backend::HttpResponse response = co_await inner_.send(request);
    checkContract(
        {request.method, request.path, request, response.status, response.headers, response.body});
    co_return response;
}

httplib::Client checkedClient(const std::string& url) {
    httplib::Client client(url);
    client.set_logger([](const httplib::Request& request, const httplib::Response& response) {
        backend::HttpRequest sent{request.method, request.path, request.body, {}};
        for (const auto& [name, value] : request.headers)
            sent.headers[name] = value;
        std::map<std::string, std::string> headers;
        for (const auto& [name, value] : response.headers)
            headers[name] = value;
        checkContract(
            {request.method, request.path, sent, response.status, headers, response.body});
    });
    return client;
}

} // namespace kamusm::test
