// CCID class descriptor (CCID Rev 1.1 §5.1) and CCID interface discovery, checked against real
// readers' descriptors (values from LudovicRousseau/CCID readers/*.txt, see known_readers.cpp).
#include "reader_descriptors.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::ccid;

namespace {

ClassDescriptor classDescriptorOf(std::string_view id) {
    return findInterface(usb::parseConfigurationDescriptor(knownReader(id).configurationDescriptor))
        .descriptor;
}

ErrorCode codeOf(auto&& call) {
    try {
        call();
    } catch (const ccid::Error& failure) {
        return failure.code();
    }
    FAIL("no ccid::Error thrown");
    return {};
}

} // namespace

TEST_CASE("ACR39U class descriptor: every field from readers/ACS_ACR39U_ICC_Reader.txt") {
    const ClassDescriptor d = classDescriptorOf("acr39u");
    CHECK(d.bcdCCID == 0x0110);
    CHECK(d.bcdCCIDText() == "1.10");
    CHECK(d.bMaxSlotIndex == 0);
    CHECK(d.bVoltageSupport == 0x07);
    CHECK(d.dwProtocols == 0x0003);
    CHECK(d.dwDefaultClock == 4800);
    CHECK(d.dwMaximumClock == 16000);
    CHECK(d.bNumClockSupported == 0);
    CHECK(d.dwDataRate == 12903);
    CHECK(d.dwMaxDataRate == 826000);
    CHECK(d.bNumDataRatesSupported == 0);
    CHECK(d.dwMaxIFSD == 247);
    CHECK(d.dwSynchProtocols == 0);
    CHECK(d.dwMechanical == 0);
    CHECK(d.dwFeatures == 0x000100B2);
    CHECK(d.dwMaxCCIDMessageLength == 271);
    CHECK(d.bClassGetResponse == 0xFF);
    CHECK(d.bClassEnvelope == 0xFF);
    CHECK(d.wLcdLayout == 0);
    CHECK(d.bPINSupport == 0);
    CHECK(d.bMaxCCIDBusySlots == 1);
    CHECK(d.exchangeLevel() == ExchangeLevel::Tpdu);
    CHECK(d.autoPps());
    CHECK_FALSE(d.autoIfsd());
    CHECK_FALSE(d.autoVoltage());
    CHECK(d.protocols() == std::vector<int>{0, 1});
}
