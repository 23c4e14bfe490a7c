// pinctl doctor's judgement, apart from how the findings were gathered (doctor_command.cpp): for
// every reader, what each deployment could do with it (an ordinary page over WebUSB, the
// Isolated Web App with usb-unrestricted, the desktop helper over PC/SC) and the remedy, from
// the wizard's guidance table, where it cannot.
#pragma once

#include "kamusm/usb/device.hpp"
#include "kamusm/usb/error.hpp"
#include "kamusm/wizard/guidance.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kamusm::cli {

// A CCID reader libusb sees.
struct UsbReaderFinding {
    usb::DeviceInfo info;
    bool smartCardClass = false;              // interface class 0x0B (else vendor class 0xFF)
    std::optional<usb::ErrorCode> openError;  // the system refused to open it
    std::optional<usb::ErrorCode> claimError; // another driver or program holds its interface
};

struct PcscReaderFinding {
    std::string name;
    std::string atr; // hex; empty without a card
};

struct Findings {
    std::optional<std::string> usbUnavailable; // why libusb could not look (no USB here)
    std::vector<UsbReaderFinding> usb;
    bool pcscService = false;
    std::vector<PcscReaderFinding> pcsc;
};

enum class Deployment { Page, IsolatedApp, Helper };
inline constexpr int deploymentCount = 3;

struct Verdict {
    bool works = false;
    std::string remedy; // empty when it works
    std::string help;   // the help page's anchor of the remedy
};

struct ReaderVerdicts {
    std::string name;
    std::string source; // "usb" or "pcsc"
    std::array<Verdict, deploymentCount> paths;
};

struct Diagnosis {
    std::vector<ReaderVerdicts> readers;
    bool anyPathWorks = false;
};

// The findings judged for a computer running `system`.
Diagnosis diagnose(const Findings& findings, wizard::System system);

// Exit codes: 0 some path works, 1 readers but none usable anywhere, 3 no reader at all.
int exitCodeOf(const Diagnosis& diagnosis);

std::string_view deploymentId(Deployment deployment); // "page", "iwa", "helper"
nlohmann::ordered_json toJson(const Findings& findings, const Diagnosis& diagnosis);
std::string toText(const Findings& findings, const Diagnosis& diagnosis);

} // namespace kamusm::cli
