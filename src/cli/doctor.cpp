#include "doctor.hpp"

#include <sstream>

namespace kamusm::cli {

namespace {

using wizard::WizardError;

constexpr int exitNoUsablePath = 1;
constexpr int exitNoReader = 3;

constexpr std::array<std::string_view, deploymentCount> deploymentIds{"page", "iwa", "helper"};
constexpr std::array<std::string_view, deploymentCount> deploymentNames{
    "ordinary page (WebUSB)", "Isolated Web App (usb-unrestricted)", "desktop helper (PC/SC)"};

// The guidance table's remedy for `error` where `deployment` runs on `system`.
Verdict refused(WizardError error, wizard::Deployment deployment, wizard::System system) {
    const wizard::EnvironmentReport where{true,       true,   false,
                                          deployment, system, wizard::Browser::Chrome};
    const wizard::Guidance guidance = wizard::guidance(error, where, wizard::Language::English);
    return {false, std::string(guidance.text), std::string(guidance.anchor)};
}

const Verdict works{true, {}, {}};

// What stops WebUSB, in the order the browser meets it: open, then claim.
std::optional<WizardError> usbObstacle(const UsbReaderFinding& reader) {
    if (reader.openError) return WizardError::UsbOpenDenied;
    if (reader.claimError == usb::ErrorCode::Busy) return WizardError::UsbBusy;
    if (reader.claimError) return WizardError::UsbAccessDenied;
    return std::nullopt;
}

// pcscd names a reader after its USB product string ("ACS ACR39U ICC Reader 00 00").
const PcscReaderFinding* pcscReaderFor(const Findings& findings, const usb::DeviceInfo& info) {
    if (info.product.empty()) return nullptr;
    for (const PcscReaderFinding& reader : findings.pcsc)
        if (reader.name.find(info.product) != std::string::npos) return &reader;
    return nullptr;
}

Verdict helperVerdict(const Findings& findings, bool listed, wizard::System system) {
    if (!findings.pcscService)
        return refused(WizardError::PcscUnavailable, wizard::Deployment::Page, system);
    if (listed) return works;
    return {false,
            "The PC/SC service runs but does not list this reader: install the reader's driver "
            "(Debian, Ubuntu: sudo apt install libccid) and replug it.",
            "pcsc"};
}

ReaderVerdicts judgeUsb(const Findings& findings, const UsbReaderFinding& reader,
                        wizard::System system) {
    ReaderVerdicts verdicts;
    verdicts.name =
        reader.info.product.empty() ? "(no name: not readable by this user)" : reader.info.product;
    verdicts.source = "usb";
    const std::optional<WizardError> obstacle = usbObstacle(reader);
    auto& page = verdicts.paths[static_cast<int>(Deployment::Page)];
    // Chrome refuses class 0x0B to ordinary pages whatever the system allows.
    if (reader.smartCardClass)
        page = refused(WizardError::UsbAccessDenied, wizard::Deployment::Page, system);
    else
        page = obstacle ? refused(*obstacle, wizard::Deployment::Page, system) : works;
    verdicts.paths[static_cast<int>(Deployment::IsolatedApp)] =
        obstacle ? refused(*obstacle, wizard::Deployment::IsolatedApp, system) : works;
    verdicts.paths[static_cast<int>(Deployment::Helper)] =
        helperVerdict(findings, pcscReaderFor(findings, reader.info) != nullptr, system);
    return verdicts;
}

bool seenOverUsb(const Findings& findings, const PcscReaderFinding& reader) {
    for (const UsbReaderFinding& usbReader : findings.usb)
        if (!usbReader.info.product.empty() &&
            reader.name.find(usbReader.info.product) != std::string::npos)
            return true;
    return false;
}

// A reader only PC/SC knows (a virtual one, or USB hidden from this user): the helper's.
ReaderVerdicts judgePcscOnly(const PcscReaderFinding& reader) {
    ReaderVerdicts verdicts;
    verdicts.name = reader.name;
    verdicts.source = "pcsc";
    const Verdict notUsb{false,
                         "Not seen over USB here: only PC/SC reaches it. Use the KamuSM card "
                         "helper.",
                         "yardimci-kur"};
    verdicts.paths = {notUsb, notUsb, works};
    return verdicts;
}

} // namespace

std::string_view deploymentId(Deployment deployment) {
    return deploymentIds.at(static_cast<std::size_t>(deployment));
}

Diagnosis diagnose(const Findings& findings, wizard::System system) {
    Diagnosis diagnosis;
    for (const UsbReaderFinding& reader : findings.usb)
        diagnosis.readers.push_back(judgeUsb(findings, reader, system));
    for (const PcscReaderFinding& reader : findings.pcsc)
        if (!seenOverUsb(findings, reader)) diagnosis.readers.push_back(judgePcscOnly(reader));
    for (const ReaderVerdicts& reader : diagnosis.readers)
        for (const Verdict& path : reader.paths)
            diagnosis.anyPathWorks = diagnosis.anyPathWorks || path.works;
    return diagnosis;
}

int exitCodeOf(const Diagnosis& diagnosis) {
    if (diagnosis.readers.empty()) return exitNoReader;
    return diagnosis.anyPathWorks ? 0 : exitNoUsablePath;
}

nlohmann::ordered_json toJson(const Findings& findings, const Diagnosis& diagnosis) {
    using json = nlohmann::ordered_json;
    json readers = json::array();
    for (const ReaderVerdicts& reader : diagnosis.readers) {
        json paths = json::object();
        for (int d = 0; d < deploymentCount; ++d) {
            const Verdict& verdict = reader.paths[static_cast<std::size_t>(d)];
            paths[std::string(deploymentIds[static_cast<std::size_t>(d)])] = {
                {"works", verdict.works},
                {"remedy", verdict.works ? json(nullptr) : json(verdict.remedy)},
                {"help", verdict.works ? json(nullptr) : json(verdict.help)}};
        }
        readers.push_back({{"name", reader.name}, {"source", reader.source}, {"paths", paths}});
    }
    json usb = json::array();
    for (const UsbReaderFinding& reader : findings.usb) {
        char id[10];
        std::snprintf(id, sizeof id, "%04X:%04X", reader.info.idVendor, reader.info.idProduct);
        usb.push_back({{"id", id},
                       {"name", reader.info.product},
                       {"interface_class", reader.smartCardClass ? "smart_card" : "vendor"},
                       {"can_open", !reader.openError.has_value()},
                       {"held_by_another_driver", reader.claimError == usb::ErrorCode::Busy}});
    }
    json pcsc = json::array();
    for (const PcscReaderFinding& reader : findings.pcsc)
        pcsc.push_back({{"name", reader.name},
                        {"atr", reader.atr.empty() ? json(nullptr) : json(reader.atr)}});
    return {{"usb_available", !findings.usbUnavailable.has_value()},
            {"usb", usb},
            {"pcsc_service", findings.pcscService},
            {"pcsc", pcsc},
            {"readers", readers},
            {"any_path_works", diagnosis.anyPathWorks}};
}

std::string toText(const Findings& findings, const Diagnosis& diagnosis) {
    std::ostringstream out;
    out << "USB: "
        << (findings.usbUnavailable ? *findings.usbUnavailable
                                    : std::to_string(findings.usb.size()) + " CCID reader(s)")
        << "\nPC/SC service: "
        << (findings.pcscService ? std::to_string(findings.pcsc.size()) + " reader(s)"
                                 : std::string("not running"))
        << "\n";
    for (std::size_t i = 0; i < diagnosis.readers.size(); ++i) {
        const ReaderVerdicts& reader = diagnosis.readers[i];
        out << "\n" << i << ": " << reader.name << " (" << reader.source << ")\n";
        for (int d = 0; d < deploymentCount; ++d) {
            const Verdict& verdict = reader.paths[static_cast<std::size_t>(d)];
            out << "   " << deploymentNames[static_cast<std::size_t>(d)] << ": "
                << (verdict.works ? "yes"
                                  : "no. " + verdict.remedy + " (help: #" + verdict.help + ")")
                << "\n";
        }
    }
    if (diagnosis.readers.empty()) out << "\nNo card reader found.\n";
    out << "\nsome path works: " << (diagnosis.anyPathWorks ? "yes" : "no") << "\n";
    return out.str();
}

} // namespace kamusm::cli
