// pinctl sim, run as a process: every operation on every reader model, PINs read from standard
// input and never printed, not even in the trace.
#include "cli/run_pinctl.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using kamusm::testing::pinctl;
using kamusm::testing::Run;
using nlohmann::json;

namespace {

const char* const models[] = {"acr39u", "connect2sign", "extended", "twoslot"};

json runJson(const std::string& arguments, const std::string& input = "", int expectedExit = 0) {
    const Run run = pinctl("sim " + arguments + " --json", input);
    CAPTURE(arguments);
    CAPTURE(run.out);
    CHECK(run.exitCode == expectedExit);
    return json::parse(run.out);
}

} // namespace

TEST_CASE("serial, certificates and PIN status on every model and both card variants") {
    for (const char* model : models) {
        for (const char* card : {"t1", "t0"}) {
            const std::string base = std::string(model) + " --card " + card + " ";
            json serial = runJson(base + "serial");
            CHECK(serial["ok"] == true);
            CHECK(serial["serial"] == "123456789012");
            CHECK(serial["protocol"] == (std::string(card) == "t1" ? 1 : 0));

            json certificates = runJson(base + "certificates");
            CHECK(certificates["signing"]["size"] == 2091);
            CHECK(certificates["signing"]["subject"].get<std::string>().find("10000000146") !=
                  std::string::npos);
            CHECK(certificates["encryption"]["size"].get<int>() > 0);

            json status = runJson(base + "pin-status");
            CHECK(status["pin"] == "set");
            CHECK(status["tries_left"] == 3);
        }
    }
}

TEST_CASE("ACR39U negotiates TA1 96 and an IFSD of 247") {
    json info = runJson("acr39u info");
    CHECK(info["ta1"] == "96");
    CHECK(info["ifsd"] == 247);
    CHECK(info["exchange_level"] == "tpdu");
    CHECK(info["atr"] == "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B");
}

TEST_CASE("verify and change take PINs from standard input") {
    json verified = runJson("acr39u verify", "123456\n");
    CHECK(verified["pin"] == "verified");

    json wrong = runJson("acr39u verify", "654321\n", 1);
    CHECK(wrong["ok"] == false);
    CHECK(wrong["error"].get<std::string>().find("2 tries left") != std::string::npos);

    json changed = runJson("connect2sign change", "123456\n24681357\n");
    CHECK(changed["pin"] == "verified");

    json fresh = runJson("acr39u --fresh-card pin-status");
    CHECK(fresh["pin"] == "not_set");
}

TEST_CASE("the trace shows every CCID message, T=1 block and APDU but never the PIN") {
    const Run run = pinctl("sim acr39u --trace change", "123456\n24681357\n");
    CHECK(run.exitCode == 0);
    CHECK(run.out.find("ccid > 62") != std::string::npos);             // IccPowerOn
    CHECK(run.out.find("t=1  > 00 C1 01 F7 37") != std::string::npos); // IFSD 247
    CHECK(run.out.find("apdu > 00 24 01 81 10 [16 bytes hidden]") != std::string::npos);
    for (const char* secret :
         {"31 32 33 34 35 36", "32 34 36 38 31 33 35 37", "123456", "24681357"})
        CHECK_MESSAGE(run.out.find(secret) == std::string::npos, secret);
}

TEST_CASE("bad arguments are usage errors") {
    CHECK(pinctl("sim nosuchreader serial").exitCode == 2);
    CHECK(pinctl("sim acr39u nosuchoperation").exitCode == 2);
    CHECK(pinctl("sim acr39u --card t2 serial").exitCode == 2);
}
