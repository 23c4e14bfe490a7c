// pinctl create|change|unblock end to end: the CLI, a real kamusm-server process in demo mode and
// the virtual reader and card, through the same wizard logic as the browser app.
#include "cli/run_pinctl.hpp"
#include "server/server_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <thread>

using kamusm::testing::pinctl;
using nlohmann::json;

namespace {

std::vector<std::string> demoServer(const kamusm::test::TempDir& data,
                                    std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{"--demo",
                                       "--data-dir",
                                       data.path().string(),
                                       "--sessions-per-holder",
                                       "1000",
                                       "--sms-per-holder",
                                       "1000",
                                       "--confirm-attempts-per-holder",
                                       "1000",
                                       "--confirm-attempts-per-ip",
                                       "1000",
                                       "--code-attempts-per-ip",
                                       "1000",
                                       "--sms-resend-interval",
                                       "0"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
}

json runPin(const kamusm::test::ServerProcess& server, const std::string& arguments,
            const std::string& input) {
    const auto run = pinctl(arguments + " --server " + server.url() + " --json", input);
    CAPTURE(arguments);
    CAPTURE(run.out);
    return json::parse(run.out);
}

} // namespace

TEST_CASE("create, change and unblock on each reader model and card variant") {
    kamusm::test::TempDir data;
    kamusm::test::ServerProcess server(demoServer(data));
    const std::pair<const char*, const char*> operations[] = {
        {"create", "24681357\n24681357\n"},
        {"change", "123456\n24681357\n24681357\n"},
        {"unblock", "97531864\n97531864\n"},
    };
    for (const char* model : {"acr39u", "connect2sign", "extended", "twoslot"}) {
        for (const char* card : {"t1", "t0"}) {
            for (const auto& [operation, pins] : operations) {
                const json result = runPin(
                    server, std::string(operation) + " --demo --sim " + model + " --card " + card,
                    pins);
                CAPTURE(result.dump());
                CHECK(result["ok"] == true);
                CHECK(result["step"] == "done");
            }
        }
    }
}

TEST_CASE("a wrong current PIN, a weak new PIN and a repeat that differs") {
    kamusm::test::TempDir data;
    kamusm::test::ServerProcess server(demoServer(data));
    json result = runPin(server, "change --demo --sim acr39u", "000000\n24681357\n24681357\n");
    CHECK(result["error"] == "wrong_current_pin");
    result = runPin(server, "change --demo --sim acr39u", "123456\n111111\n111111\n");
    CHECK(result["error"] == "pin_policy");
    // The demo holder was born in 1980 (the server says so with the session).
    result = runPin(server, "change --demo --sim acr39u", "123456\n51980742\n51980742\n");
    CHECK(result["error"] == "pin_policy");
    CHECK(result["message"].get<std::string>().find("birth") != std::string::npos);
    result = runPin(server, "create --demo --sim acr39u", "24681357\n24681358\n");
    CHECK(result["error"] == "pin_policy");
    CHECK(result["message"].get<std::string>().find("differ") != std::string::npos);
}

TEST_CASE("an expired code is refused") {
    kamusm::test::TempDir data;
    kamusm::test::ServerProcess server(demoServer(data, {"--code-lifetime", "1"}));
    const auto code = kamusm::runSync(
        server.client().demoVerificationCode("10000000146", kamusm::backend::Operation::Create));
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    json result =
        runPin(server, "create --demo --sim acr39u --code " + code.code, "24681357\n24681357\n");
    CHECK(result["ok"] == false);
    CHECK(result["error"] == "expired_code");
}

TEST_CASE("a used code is refused") {
    kamusm::test::TempDir data;
    kamusm::test::ServerProcess server(demoServer(data));
    const auto fresh = kamusm::runSync(
        server.client().demoVerificationCode("10000000146", kamusm::backend::Operation::Create));
    json result =
        runPin(server, "create --demo --sim acr39u --code " + fresh.code, "24681357\n24681357\n");
    CHECK(result["ok"] == true);
    result =
        runPin(server, "create --demo --sim acr39u --code " + fresh.code, "24681357\n24681357\n");
    CHECK(result["error"] == "used_code");
}

TEST_CASE("a server that is not there") {
    const auto run = pinctl("create --demo --sim acr39u --server http://127.0.0.1:9 --json",
                            "24681357\n24681357\n");
    CHECK(run.exitCode != 0);
}
