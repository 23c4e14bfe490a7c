// pinctl doctor: the judgement of findings (each deployment's verdict and remedy for every
// reader, the exit code), and the command itself on this machine's USB and PC/SC (the pcscd
// case runs in tests/pcsc/doctor.sh with a real pcscd).
#include "cli/doctor.hpp"
#include "cli/run_pinctl.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace kamusm;
using namespace kamusm::cli;

namespace {

UsbReaderFinding acr39u() {
    UsbReaderFinding reader;
    reader.info.idVendor = 0x072F;
    reader.info.idProduct = 0xB100;
    reader.info.product = "ACR39U ICC Reader";
    reader.smartCardClass = true;
    return reader;
}

const Verdict& path(const Diagnosis& diagnosis, std::size_t reader, Deployment deployment) {
    return diagnosis.readers.at(reader).paths.at(static_cast<std::size_t>(deployment));
}

} // namespace

TEST_CASE("a class 0x0B reader held by pcscd: the helper works, the page and the IWA do not") {
    Findings findings;
    UsbReaderFinding reader = acr39u();
    reader.claimError = usb::ErrorCode::Busy;
    findings.usb.push_back(reader);
    findings.pcscService = true;
    findings.pcsc.push_back({"ACS ACR39U ICC Reader 00 00", "3B9F96"});
    const Diagnosis diagnosis = diagnose(findings, wizard::System::Linux);
    REQUIRE(diagnosis.readers.size() == 1); // pcscd's reader is the same one
    CHECK_FALSE(path(diagnosis, 0, Deployment::Page).works);
    CHECK(path(diagnosis, 0, Deployment::Page).help == "yardimci-kur");
    CHECK_FALSE(path(diagnosis, 0, Deployment::IsolatedApp).works);
    CHECK(path(diagnosis, 0, Deployment::IsolatedApp).remedy.find("pcscd") != std::string::npos);
    CHECK(path(diagnosis, 0, Deployment::Helper).works);
    CHECK(exitCodeOf(diagnosis) == 0);
}

TEST_CASE("a free vendor-class reader works everywhere but the helper without pcscd") {
    Findings findings;
    UsbReaderFinding reader = acr39u();
    reader.smartCardClass = false;
    findings.usb.push_back(reader);
    const Diagnosis diagnosis = diagnose(findings, wizard::System::Linux);
    CHECK(path(diagnosis, 0, Deployment::Page).works);
    CHECK(path(diagnosis, 0, Deployment::IsolatedApp).works);
    CHECK_FALSE(path(diagnosis, 0, Deployment::Helper).works);
    CHECK(path(diagnosis, 0, Deployment::Helper).remedy.find("pcscd") != std::string::npos);
    CHECK(exitCodeOf(diagnosis) == 0);
}

TEST_CASE("a reader this user may not open, without pcscd: no path, the remedies, exit 1") {
    Findings findings;
    UsbReaderFinding reader = acr39u();
    reader.openError = usb::ErrorCode::OpenDenied;
    findings.usb.push_back(reader);
    const Diagnosis diagnosis = diagnose(findings, wizard::System::Linux);
    CHECK_FALSE(diagnosis.anyPathWorks);
    CHECK(path(diagnosis, 0, Deployment::IsolatedApp).help == "linux-udev");
    CHECK(path(diagnosis, 0, Deployment::Helper).help == "linux-pcscd");
    CHECK(exitCodeOf(diagnosis) == 1);
    const auto json = toJson(findings, diagnosis);
    CHECK(json["readers"][0]["paths"]["iwa"]["works"] == false);
    CHECK(json["usb"][0]["can_open"] == false);
    CHECK(json["any_path_works"] == false);
}

TEST_CASE("pcscd runs but does not list the reader; a PC/SC-only reader is the helper's") {
    Findings findings;
    findings.usb.push_back(acr39u());
    findings.pcscService = true;
    findings.pcsc.push_back({"Virtual PCD 00 00", ""});
    const Diagnosis diagnosis = diagnose(findings, wizard::System::Linux);
    REQUIRE(diagnosis.readers.size() == 2);
    CHECK(path(diagnosis, 0, Deployment::Helper).remedy.find("libccid") != std::string::npos);
    CHECK(diagnosis.readers[1].source == "pcsc");
    CHECK(path(diagnosis, 1, Deployment::Helper).works);
    CHECK_FALSE(path(diagnosis, 1, Deployment::Page).works);
}

TEST_CASE("no reader at all: exit 3") {
    Findings findings;
    findings.usbUnavailable = "no USB access";
    CHECK(exitCodeOf(diagnose(findings, wizard::System::Linux)) == 3);
}

TEST_CASE("pinctl doctor --json on this machine gives the findings and the exit code they mean") {
    const testing::Run run = testing::pinctl("doctor --json");
    const nlohmann::json report = nlohmann::json::parse(run.out);
    for (const char* key :
         {"usb_available", "usb", "pcsc_service", "pcsc", "readers", "any_path_works"})
        CHECK(report.contains(key));
    const bool readers = !report["readers"].empty();
    CHECK(run.exitCode == (!readers ? 3 : report["any_path_works"] ? 0 : 1));
    CHECK(testing::pinctl("doctor --bogus").exitCode == 2);
}
