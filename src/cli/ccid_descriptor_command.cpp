// pinctl ccid-descriptor <hex> [--json]: decodes a 54-byte CCID class descriptor (CCID Rev 1.1
// §5.1) into the keys of interfaces.md, or a human-readable summary.
#include "commands.hpp"

#include "kamusm/base/bytes.hpp"
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

namespace kamusm::cli {

namespace {

constexpr const char* help =
    "usage: pinctl ccid-descriptor <hex> [--json]\n"
    "\n"
    "Decodes a CCID class descriptor (54 bytes, bLength 36, bDescriptorType 21), the\n"
    "descriptor a reader's CCID interface carries. The hex may contain spaces.\n"
    "Exit 0 when it is one, 2 when it is not (with --json: {\"valid\": false, \"error\": ...}).\n";

// bVoltageSupport bits, in the order interfaces.md lists them.
constexpr std::array<std::pair<std::uint8_t, const char*>, 3> voltageBits{{
    {0x01, "5.0V"},
    {0x02, "3.0V"},
    {0x04, "1.8V"},
}};

constexpr std::uint8_t pinVerifyBit = 0x01, pinModifyBit = 0x02;

nlohmann::json describe(const ccid::ClassDescriptor& d) {
    nlohmann::json voltages = nlohmann::json::array();
    for (const auto& [bit, name] : voltageBits)
        if (d.bVoltageSupport & bit) voltages.push_back(name);
    return {
        {"valid", true},
        {"bcd_ccid", d.bcdCCIDText()},
        {"max_slot_index", d.bMaxSlotIndex},
        {"voltages", voltages},
        {"protocols", d.protocols()},
        {"default_clock_khz", d.dwDefaultClock},
        {"max_clock_khz", d.dwMaximumClock},
        {"default_data_rate", d.dwDataRate},
        {"max_data_rate", d.dwMaxDataRate},
        {"max_ifsd", d.dwMaxIFSD},
        {"features", d.dwFeatures},
        {"exchange_level", ccid::exchangeLevelName(d.exchangeLevel())},
        {"auto_pps", d.autoPps()},
        {"auto_ifsd", d.autoIfsd()},
        {"auto_voltage", d.autoVoltage()},
        {"max_message_length", d.dwMaxCCIDMessageLength},
        {"pin_verify", (d.bPINSupport & pinVerifyBit) != 0},
        {"pin_modify", (d.bPINSupport & pinModifyBit) != 0},
        {"max_busy_slots", d.bMaxCCIDBusySlots},
    };
}

std::string joined(const nlohmann::json& values, const char* prefix = "") {
    std::string text;
    for (const nlohmann::json& value : values) {
        if (!text.empty()) text += ' ';
        text += prefix + (value.is_string() ? value.get<std::string>() : value.dump());
    }
    return text.empty() ? "none" : text;
}

void printHuman(const nlohmann::json& j) {
    const auto yesNo = [&](const char* key) { return j[key].get<bool>() ? "yes" : "no"; };
    std::printf("CCID class descriptor, bcdCCID %s\n", j["bcd_ccid"].get<std::string>().c_str());
    std::printf("  slots:               %d (bMaxSlotIndex %d)\n",
                j["max_slot_index"].get<int>() + 1, j["max_slot_index"].get<int>());
    std::printf("  voltages:            %s\n", joined(j["voltages"]).c_str());
    std::printf("  protocols:           %s\n", joined(j["protocols"], "T=").c_str());
    std::printf("  clock:               %u kHz default, %u kHz maximum\n",
                j["default_clock_khz"].get<unsigned>(), j["max_clock_khz"].get<unsigned>());
    std::printf("  data rate:           %u bps default, %u bps maximum\n",
                j["default_data_rate"].get<unsigned>(), j["max_data_rate"].get<unsigned>());
    std::printf("  max IFSD:            %u\n", j["max_ifsd"].get<unsigned>());
    std::printf("  dwFeatures:          0x%08X\n", j["features"].get<unsigned>());
    std::printf("  exchange level:      %s\n", j["exchange_level"].get<std::string>().c_str());
    std::printf("  automatic PPS:       %s\n", yesNo("auto_pps"));
    std::printf("  automatic IFSD:      %s\n", yesNo("auto_ifsd"));
    std::printf("  automatic voltage:   %s\n", yesNo("auto_voltage"));
    std::printf("  max message length:  %u bytes\n", j["max_message_length"].get<unsigned>());
    std::printf("  PIN verify / modify: %s / %s\n", yesNo("pin_verify"), yesNo("pin_modify"));
    std::printf("  max busy slots:      %d\n", j["max_busy_slots"].get<int>());
}

} // namespace

int ccidDescriptorCommand(const Arguments& arguments) {
    if (hasFlag(arguments, "--help") || hasFlag(arguments, "-h")) {
        std::fputs(help, stdout);
        return 0;
    }
    const DecodeInput input = parseDecodeInput(arguments, "descriptor");
    const bool json = input.json;
    if (!input.error.empty()) {
        if (!json && input.hex.empty()) std::fputs(help, stderr);
        return reportInvalid("ccid-descriptor", input.error, json);
    }
    nlohmann::json result;
    try {
        result = describe(ccid::ClassDescriptor::parse(fromHex(input.hex)));
    } catch (const std::invalid_argument& failure) {
        return reportInvalid("ccid-descriptor", std::string("not hex: ") + failure.what(), json);
    } catch (const ccid::Error& failure) {
        return reportInvalid("ccid-descriptor", failure.what(), json);
    }
    if (json)
        std::cout << result.dump() << '\n';
    else
        printHuman(result);
    return 0;
}

} // namespace kamusm::cli
