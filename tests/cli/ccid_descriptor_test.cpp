// pinctl ccid-descriptor, run as a process: the keys and exit codes of interfaces.md.
#include "cli/run_pinctl.hpp"
#include "reader_descriptors.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using kamusm::testing::pinctl;
using kamusm::testing::Run;

std::string shellQuoted(std::string_view hex) {
    return "'" + std::string(hex) + "'";
}

} // namespace

TEST_CASE("ccid-descriptor --json decodes the ACR39U class descriptor") {
    const Run run =
        pinctl("ccid-descriptor " + shellQuoted(readers::acr39u.classDescriptor) + " --json");
    REQUIRE(run.exitCode == 0);
    const nlohmann::json j = nlohmann::json::parse(run.out);
    CHECK(j.size() == 19);
    CHECK(j["valid"] == true);
    CHECK(j["bcd_ccid"] == "1.10");
    CHECK(j["max_slot_index"] == 0);
    CHECK(j["voltages"] == nlohmann::json({"5.0V", "3.0V", "1.8V"}));
    CHECK(j["protocols"] == nlohmann::json({0, 1}));
    CHECK(j["default_clock_khz"] == 4800);
    CHECK(j["max_clock_khz"] == 16000);
    CHECK(j["default_data_rate"] == 12903);
    CHECK(j["max_data_rate"] == 826000);
    CHECK(j["max_ifsd"] == 247);
    CHECK(j["features"] == 0x000100B2);
    CHECK(j["exchange_level"] == "tpdu");
    CHECK(j["auto_pps"] == true);
    CHECK(j["auto_ifsd"] == false);
    CHECK(j["auto_voltage"] == false);
    CHECK(j["max_message_length"] == 271);
    CHECK(j["pin_verify"] == false);
    CHECK(j["pin_modify"] == false);
    CHECK(j["max_busy_slots"] == 1);
}

TEST_CASE("ccid-descriptor --json lists protocol bits beyond T=0 and T=1 instead of refusing") {
    std::string hex(readers::acr39u.classDescriptor);
    // dwProtocols 0x00000003 → 0x00000007 (after bMaxSlotIndex 00 and bVoltageSupport 07).
    const std::string protocols = "00 07 03000000";
    hex.replace(hex.find(protocols), protocols.size(), "00 07 07000000");
    const Run run = pinctl("ccid-descriptor " + shellQuoted(hex) + " --json");
    REQUIRE(run.exitCode == 0);
    CHECK(nlohmann::json::parse(run.out)["protocols"] == nlohmann::json({0, 1, 2}));
}

TEST_CASE("ccid-descriptor --json: other readers' levels, voltages and flags") {
    const nlohmann::json ark = nlohmann::json::parse(
        pinctl("ccid-descriptor " + shellQuoted(readers::connect2sign.classDescriptor) + " --json")
            .out);
    CHECK(ark["exchange_level"] == "short_apdu");
    CHECK(ark["voltages"] == nlohmann::json({"3.0V", "1.8V"}));
    CHECK(ark["auto_voltage"] == true);
    CHECK(ark["max_message_length"] == 510);

    const nlohmann::json alcor = nlohmann::json::parse(
        pinctl("ccid-descriptor " + shellQuoted(readers::extended.classDescriptor) + " --json")
            .out);
    CHECK(alcor["exchange_level"] == "extended_apdu");
    CHECK(alcor["auto_ifsd"] == true);

    const nlohmann::json scm = nlohmann::json::parse(
        pinctl("ccid-descriptor " + shellQuoted(readers::twoslot.classDescriptor) + " --json").out);
    CHECK(scm["bcd_ccid"] == "1.00");
    CHECK(scm["max_slot_index"] == 1);
    CHECK(scm["voltages"] == nlohmann::json({"5.0V"}));
}

TEST_CASE("ccid-descriptor --json: PIN support bits") {
    // The ACR39U descriptor with bPINSupport 0x03 (offset 52).
    std::string hex(readers::acr39u.classDescriptor);
    const std::size_t at = hex.rfind("00 01");
    REQUIRE(at == hex.size() - 5);
    hex.replace(at, 2, "03");
    const nlohmann::json j =
        nlohmann::json::parse(pinctl("ccid-descriptor " + shellQuoted(hex) + " --json").out);
    CHECK(j["pin_verify"] == true);
    CHECK(j["pin_modify"] == true);
}

TEST_CASE("ccid-descriptor rejects what is not a class descriptor with exit 2") {
    const std::string good(readers::acr39u.classDescriptor);
    for (const std::string& input : {
             good.substr(0, good.size() - 3), // 53 bytes
             "37" + good.substr(2),           // bLength 0x37
             "36 24" + good.substr(5),        // bDescriptorType 0x24
             std::string("not hex"),
         }) {
        CAPTURE(input);
        const Run run = pinctl("ccid-descriptor " + shellQuoted(input) + " --json");
        CHECK(run.exitCode == 2);
        const nlohmann::json j = nlohmann::json::parse(run.out);
        CHECK(j["valid"] == false);
        CHECK(j["error"].is_string());
        CHECK_FALSE(j["error"].get<std::string>().empty());
    }
    CHECK(pinctl("ccid-descriptor 3621").exitCode == 2);
    CHECK(pinctl("ccid-descriptor").exitCode == 2);
}

TEST_CASE("ccid-descriptor human-readable output and --help") {
    const Run run = pinctl("ccid-descriptor " + shellQuoted(readers::acr39u.classDescriptor));
    CHECK(run.exitCode == 0);
    CHECK(run.out.find("bcdCCID 1.10") != std::string::npos);
    CHECK(run.out.find("0x000100B2") != std::string::npos);
    CHECK(run.out.find("T=0 T=1") != std::string::npos);
    const Run help = pinctl("ccid-descriptor --help");
    CHECK(help.exitCode == 0);
    CHECK(help.out.find("usage: pinctl ccid-descriptor") != std::string::npos);
}
