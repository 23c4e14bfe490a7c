// pinctl atr, run as a process: the JSON contract of interfaces.md and the exit codes.
#include "cli/run_pinctl.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using kamusm::testing::Run;

Run runPinctl(const std::string& arguments) {
    return kamusm::testing::pinctl("atr " + arguments);
}

nlohmann::json runJson(const std::string& hex, int expectedExit) {
    const Run run = runPinctl("'" + hex + "' --json");
    CAPTURE(hex);
    CAPTURE(run.out);
    CHECK(run.exitCode == expectedExit);
    return nlohmann::json::parse(run.out);
}

const char* const akisV13 = "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B";

} // namespace

TEST_CASE("pinctl atr --json decodes the AKIS v1.3 ATR") {
    const nlohmann::json j = runJson(akisV13, 0);
    CHECK(j["valid"] == true);
    CHECK(j["convention"] == "direct");
    CHECK(j["protocols"] == nlohmann::json::array({1}));
    CHECK(j["fi"] == 512);
    CHECK(j["di"] == 32);
    CHECK(j["fmax_mhz"].get<double>() == doctest::Approx(5.0));
    CHECK(j["ta1"] == 0x96);
    CHECK(j["specific_mode"] == false);
    CHECK(j["extra_guard_time"] == 0);
    CHECK(j["wi"] == 10);
    CHECK(j["ifsc"] == 254);
    CHECK(j["bwi"] == 4);
    CHECK(j["cwi"] == 5);
    CHECK(j["crc"] == false);
    CHECK(j["historical"] == "806755454B41451293318073B3A180");
    CHECK(j["tck"] == "ok");
    CHECK(j["tck_required"] == true);
    CHECK(j.size() == 17);
}

TEST_CASE("pinctl atr --json: defaults, RFU entries, wrong TCK, inverse convention") {
    const nlohmann::json plain = runJson("3B 02 14 50", 0);
    CHECK(plain["protocols"] == nlohmann::json::array({0}));
    CHECK(plain["fi"] == 372);
    CHECK(plain["di"] == 1);
    CHECK(plain["fmax_mhz"].get<double>() == doctest::Approx(5.0));
    CHECK(plain["ta1"].is_null());
    CHECK(plain["ifsc"] == 32);
    CHECK(plain["bwi"] == 4);
    CHECK(plain["cwi"] == 13);
    CHECK(plain["tck"] == "absent");
    CHECK(plain["tck_required"] == false);
    CHECK(plain["historical"] == "1450");

    const nlohmann::json rfu = runJson("3B 10 70", 0);
    CHECK(rfu["fi"].is_null());
    CHECK(rfu["di"].is_null());
    CHECK(rfu["fmax_mhz"].is_null());
    CHECK(rfu["ta1"] == 0x70);

    const nlohmann::json wrong =
        runJson("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6C", 0);
    CHECK(wrong["tck"] == "wrong");

    const nlohmann::json both = runJson("3BD018FFC00C9120612501 0F", 0);
    CHECK(both["protocols"] == nlohmann::json::array({0, 1}));
    CHECK(both["extra_guard_time"] == 255);
    CHECK(both["wi"] == 12);
    CHECK(both["ifsc"] == 32);
    CHECK(both["bwi"] == 2);
    CHECK(both["cwi"] == 5);
    CHECK(both["crc"] == true);

    const nlohmann::json specific = runJson("3B 80 91 11 1F 01 1E", 0);
    CHECK(specific["specific_mode"] == true);
    CHECK(specific["protocols"] == nlohmann::json::array({1}));

    CHECK(runJson("3F 65 25 00 2C 09 69 90 00", 0)["convention"] == "inverse");
}

TEST_CASE("pinctl atr --json rejects what is not an ATR with exit 2") {
    const char* const malformed[] = {
        "3C 00",                      // bad TS
        "3B",                         // no T0
        "3B F0 11 00",                // interface bytes missing
        "3B 9F 96 81 31 FE 45 80 67", // historical bytes missing
        "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B 00", // after TCK
        "3B8F01414141414141414141414141414141414141414141414141414141414141",      // 34 bytes
        "3B 9",                                                                    // odd hex
        "3B ZZ",                                                                   // not hex
    };
    for (const char* hex : malformed) {
        const nlohmann::json j = runJson(hex, 2);
        CHECK(j["valid"] == false);
        CHECK(j["error"].is_string());
        CHECK_FALSE(j["error"].get<std::string>().empty());
    }
    CHECK(runPinctl("--json").exitCode == 2);
}

TEST_CASE("pinctl atr without --json describes every byte; --help exits 0") {
    const Run human = runPinctl(akisV13);
    CHECK(human.exitCode == 0);
    for (const char* expected :
         {"TA1 96", "Fi 512, Di 32", "250000 bit/s at 4 MHz", "TD1 81", "TD2 31",
          "TA3 FE  T=1 IFSC 254", "TB3 45  T=1 BWI 4, CWI 5", "pre-issuing data",
          "card capabilities", "TCK 6B  ok", "Protocols: T=1"}) {
        CAPTURE(expected);
        CHECK(human.out.find(expected) != std::string::npos);
    }
    CHECK(runPinctl("'3B 9F 96'").exitCode == 2);
    const Run help = runPinctl("--help");
    CHECK(help.exitCode == 0);
    CHECK(help.out.find("usage: pinctl atr") != std::string::npos);
}
