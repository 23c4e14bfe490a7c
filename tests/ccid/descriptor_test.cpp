// CCID class descriptor (CCID Rev 1.1 §5.1) and CCID interface discovery, checked against real
// readers' descriptors (values from LudovicRousseau/CCID readers/*.txt, see
// tests/reader_descriptors.hpp).
#include "reader_descriptors.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/ccid/vendor_class.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace kamusm;
using namespace kamusm::ccid;

namespace {

InterfaceInfo interfaceOf(ByteView configuration) {
    return findInterface(usb::parseConfigurationDescriptor(configuration));
}

ClassDescriptor classDescriptorOf(std::string_view id) {
    return interfaceOf(knownReader(id).configurationDescriptor).descriptor;
}

// The NotCcid reason of a call that must fail.
template <typename Call> std::string notCcidReason(Call&& call) {
    try {
        call();
    } catch (const ccid::Error& failure) {
        CHECK(failure.code() == ErrorCode::NotCcid);
        return failure.what();
    }
    FAIL("no ccid::Error thrown");
    return {};
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// The ACR39U class descriptor with one byte changed.
Bytes acr39uWith(std::size_t offset, std::uint8_t value) {
    Bytes bytes = readers::acr39u.classDescriptorBytes();
    bytes.at(offset) = value;
    return bytes;
}

} // namespace

TEST_CASE("the known-readers table holds the bytes of tests/reader_descriptors.hpp") {
    REQUIRE(knownReaders().size() == std::size(readers::all));
    for (const readers::Reader& reader : readers::all) {
        CAPTURE(reader.id);
        CHECK(knownReader(reader.id).configurationDescriptor == reader.configuration());
    }
    CHECK(knownReader("acr39u").idVendor == 0x072F);
    CHECK(knownReader("acr39u").idProduct == 0xB100);
    CHECK(knownReader("acr39u").bcdDevice == 0x0216);
    CHECK(knownReader("connect2sign").idVendor == 0x33B6);
    CHECK(knownReader("extended").idProduct == 0x9563);
    CHECK(knownReader("twoslot").idProduct == 0x5111);
    CHECK_THROWS_AS(knownReader("nosuchreader"), std::out_of_range);
}

TEST_CASE("ACR39U: every field of readers/ACS_ACR39U_ICC_Reader.txt") {
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
    CHECK(d.autoPps()); // 0x80
    CHECK_FALSE(d.autoIfsd());
    CHECK_FALSE(d.autoVoltage());
    CHECK(d.protocols() == std::vector<int>{0, 1});
    CHECK(d.supportsProtocol(0));
    CHECK(d.supportsProtocol(1));
    CHECK_FALSE(d.supportsProtocol(2));
}

TEST_CASE("ArkSigner Connect2Sign: every field of readers/ArkSigner_Connect2Sign.txt") {
    const ClassDescriptor d = classDescriptorOf("connect2sign");
    CHECK(d.bcdCCIDText() == "1.10");
    CHECK(d.bMaxSlotIndex == 0);
    CHECK(d.bVoltageSupport == 0x06);
    CHECK(d.dwProtocols == 0x0003);
    CHECK(d.dwDefaultClock == 4800);
    CHECK(d.dwMaximumClock == 4800);
    CHECK(d.bNumClockSupported == 0);
    CHECK(d.dwDataRate == 12903);
    CHECK(d.dwMaxDataRate == 312500);
    CHECK(d.bNumDataRatesSupported == 0);
    CHECK(d.dwMaxIFSD == 254);
    CHECK(d.dwSynchProtocols == 0);
    CHECK(d.dwMechanical == 0);
    CHECK(d.dwFeatures == 0x0002007E);
    CHECK(d.dwMaxCCIDMessageLength == 510);
    CHECK(d.bClassGetResponse == 0xFF);
    CHECK(d.bClassEnvelope == 0xFF);
    CHECK(d.wLcdLayout == 0);
    CHECK(d.bPINSupport == 0);
    CHECK(d.bMaxCCIDBusySlots == 1);
    CHECK(d.exchangeLevel() == ExchangeLevel::ShortApdu);
    CHECK(d.autoPps()); // 0x40
    CHECK_FALSE(d.autoIfsd());
    CHECK(d.autoVoltage());
}

TEST_CASE("Alcor Link AK9563: every field of readers/Alcor_Link_AK9563.txt") {
    const ClassDescriptor d = classDescriptorOf("extended");
    CHECK(d.bcdCCIDText() == "1.10");
    CHECK(d.bMaxSlotIndex == 0);
    CHECK(d.bVoltageSupport == 0x07);
    CHECK(d.dwProtocols == 0x0003);
    CHECK(d.dwDefaultClock == 4000);
    CHECK(d.dwMaximumClock == 12000);
    CHECK(d.bNumClockSupported == 3);
    CHECK(d.dwDataRate == 10753);
    CHECK(d.dwMaxDataRate == 688172);
    CHECK(d.bNumDataRatesSupported == 95);
    CHECK(d.dwMaxIFSD == 254);
    CHECK(d.dwSynchProtocols == 0x00000007);
    CHECK(d.dwMechanical == 0);
    CHECK(d.dwFeatures == 0x000404BE);
    CHECK(d.dwMaxCCIDMessageLength == 272);
    CHECK(d.bClassGetResponse == 0xFF);
    CHECK(d.bClassEnvelope == 0xFF);
    CHECK(d.wLcdLayout == 0);
    CHECK(d.bPINSupport == 0);
    CHECK(d.bMaxCCIDBusySlots == 1);
    CHECK(d.exchangeLevel() == ExchangeLevel::ExtendedApdu);
    CHECK(d.autoPps());
    CHECK(d.autoIfsd()); // 0x400
    CHECK(d.autoVoltage());
}

TEST_CASE("SCR331-DI: two slots on a vendor-class interface, readers/SCR331-DI.txt") {
    const InterfaceInfo info = interfaceOf(knownReader("twoslot").configurationDescriptor);
    CHECK(info.bInterfaceClass == 0xFF);
    const ClassDescriptor& d = info.descriptor;
    CHECK(d.bcdCCID == 0x0100);
    CHECK(d.bcdCCIDText() == "1.00");
    CHECK(d.bMaxSlotIndex == 1);
    CHECK(d.bVoltageSupport == 0x01);
    CHECK(d.dwProtocols == 0x0003);
    CHECK(d.dwDefaultClock == 4000);
    CHECK(d.dwMaximumClock == 12000);
    CHECK(d.bNumClockSupported == 0);
    CHECK(d.dwDataRate == 9600);
    CHECK(d.dwMaxDataRate == 307200);
    CHECK(d.bNumDataRatesSupported == 0);
    CHECK(d.dwMaxIFSD == 252);
    CHECK(d.dwSynchProtocols == 0);
    CHECK(d.dwMechanical == 0);
    CHECK(d.dwFeatures == 0x000100BA);
    CHECK(d.dwMaxCCIDMessageLength == 263);
    CHECK(d.bClassGetResponse == 0xFF);
    CHECK(d.bClassEnvelope == 0xFF);
    CHECK(d.wLcdLayout == 0);
    CHECK(d.bPINSupport == 0);
    CHECK(d.bMaxCCIDBusySlots == 1);
    CHECK(d.exchangeLevel() == ExchangeLevel::Tpdu);
    CHECK(d.autoVoltage());
}

TEST_CASE("findInterface reports the interface and its endpoint numbers") {
    for (const KnownReader& reader : knownReaders()) {
        CAPTURE(reader.id);
        const InterfaceInfo info = interfaceOf(reader.configurationDescriptor);
        CHECK(info.bInterfaceNumber == 0);
        CHECK(info.bulkIn == 2);
        CHECK(info.bulkOut == 2);
        REQUIRE(info.interruptIn.has_value());
        CHECK(*info.interruptIn == 3);
        CHECK(info.bulkInMaxPacketSize == 64);
    }
}

TEST_CASE("a CCID class descriptor after the endpoints is found") {
    for (const readers::Reader& reader : {readers::acr39u, readers::twoslot}) {
        CAPTURE(reader.id);
        const InterfaceInfo info = interfaceOf(readers::classDescriptorAfterEndpoints(reader));
        CHECK(info.descriptor.encode() == reader.classDescriptorBytes());
        CHECK(info.bulkIn == 2);
    }
}

TEST_CASE("the first usable CCID interface wins; non-CCID interfaces are passed over") {
    // A HID interface, a class-0x0B interface without bulk endpoints (ICCD-like), then the
    // ACR39U's interface renumbered 2 and without its interrupt endpoint.
    const std::string acr = std::string(readers::acr39u.classDescriptor);
    const Bytes bytes = fromHex("09 02 A500 03 01 00 80 32"
                                "09 04 00 00 01 03 00 00 00  07 05 81 03 0800 0A"
                                "09 04 01 00 00 0B 00 02 00" +
                                acr + "09 04 02 00 02 0B 00 00 00" + acr +
                                "07 05 86 02 4000 00  07 05 05 02 4000 00");
    const InterfaceInfo info = interfaceOf(bytes);
    CHECK(info.bInterfaceNumber == 2);
    CHECK(info.bulkIn == 6);
    CHECK(info.bulkOut == 5);
    CHECK_FALSE(info.interruptIn.has_value());
}

TEST_CASE("configurations without a usable CCID interface") {
    SUBCASE("no CCID interface at all") {
        const Bytes hidOnly = fromHex("09 02 1900 01 01 00 80 32"
                                      "09 04 00 00 01 03 00 00 00  07 05 81 03 0800 0A");
        CHECK(contains(notCcidReason([&] { interfaceOf(hidOnly); }), "no interface of class"));
    }
    SUBCASE("a vendor-class interface without a CCID descriptor is not a reader") {
        const Bytes vendor = fromHex("09 02 2000 01 01 00 80 32  09 04 00 00 02 FF 00 00 00"
                                     "07 05 81 02 4000 00  07 05 02 02 4000 00");
        CHECK(contains(notCcidReason([&] { interfaceOf(vendor); }), "no interface of class"));
    }
    SUBCASE("class 0x0B without a class descriptor") {
        const Bytes bytes = fromHex("09 02 2000 01 01 00 80 32  09 04 00 00 02 0B 00 00 00"
                                    "07 05 81 02 4000 00  07 05 02 02 4000 00");
        CHECK(contains(notCcidReason([&] { interfaceOf(bytes); }), "no CCID class descriptor"));
    }
    SUBCASE("missing bulk endpoints") {
        const std::string acr = std::string(readers::acr39u.classDescriptor);
        const Bytes noOut = fromHex("09 02 5600 01 01 00 80 32  09 04 00 00 02 0B 00 00 00" + acr +
                                    "07 05 81 02 4000 00  07 05 83 03 0800 10");
        CHECK(contains(notCcidReason([&] { interfaceOf(noOut); }), "bulk-OUT"));
        const Bytes noIn = fromHex("09 02 4F00 01 01 00 80 32  09 04 00 00 01 0B 00 00 00" + acr +
                                   "07 05 02 02 4000 00");
        CHECK(contains(notCcidReason([&] { interfaceOf(noIn); }), "bulk-IN"));
    }
    SUBCASE("a malformed class descriptor names the interface and the reason") {
        Bytes bytes = readers::acr39u.configuration();
        bytes[18 + 40 + 2] = 0x03; // dwFeatures level bits 0x30000: TPDU and short APDU
        const std::string reason = notCcidReason([&] { interfaceOf(bytes); });
        CHECK(contains(reason, "interface 0: dwFeatures 0x000300B2"));
        CHECK(contains(reason, "ccid: interface")); // one layer prefix, not two
    }
}

TEST_CASE("protocol bits other than T=0 and T=1 decode, every one listed") {
    // 0x0007: T=0, T=1 and an RFU bit, as some contactless readers announce.
    const ClassDescriptor mixed = ClassDescriptor::parse(acr39uWith(6, 0x07));
    CHECK(mixed.protocols() == std::vector<int>{0, 1, 2});
    CHECK(mixed.supportsProtocol(1));
    CHECK_FALSE(mixed.supportsProtocol(2));
    // Only RFU bits: decoded, with no protocol a card session could use.
    Bytes rfuOnly = acr39uWith(6, 0x04);
    rfuOnly[7] = 0x80; // bit 15
    const ClassDescriptor rfu = ClassDescriptor::parse(rfuOnly);
    CHECK(rfu.protocols() == std::vector<int>{2, 15});
    CHECK_FALSE(rfu.supportsProtocol(0));
    CHECK_FALSE(rfu.supportsProtocol(1));
}

TEST_CASE("ClassDescriptor::parse rejects what is not a CCID class descriptor") {
    const Bytes good = readers::acr39u.classDescriptorBytes();
    CHECK(contains(notCcidReason([&] { ClassDescriptor::parse(ByteView(good).first(53)); }),
                   "53 bytes"));
    Bytes longer = good;
    longer.push_back(0);
    CHECK(contains(notCcidReason([&] { ClassDescriptor::parse(longer); }), "55 bytes"));
    CHECK(contains(notCcidReason([] { ClassDescriptor::parse({}); }), "0 bytes"));
    CHECK(
        contains(notCcidReason([] { ClassDescriptor::parse(acr39uWith(0, 0x35)); }), "bLength 53"));
    CHECK(contains(notCcidReason([] { ClassDescriptor::parse(acr39uWith(1, 0x24)); }),
                   "bDescriptorType 36"));
    CHECK(contains(notCcidReason([] { ClassDescriptor::parse(acr39uWith(42, 0x07)); }),
                   "no single exchange level"));
    // dwMaxCCIDMessageLength 10: room for the header only.
    Bytes headerOnly = acr39uWith(44, 0x0A);
    headerOnly[45] = 0;
    CHECK(contains(notCcidReason([&] { ClassDescriptor::parse(headerOnly); }),
                   "dwMaxCCIDMessageLength 10"));
}

TEST_CASE("exchange level from dwFeatures bits 16-18") {
    ClassDescriptor d;
    d.dwFeatures = 0x000000FE;
    CHECK(d.exchangeLevel() == ExchangeLevel::Character);
    d.dwFeatures = 0x00010000;
    CHECK(d.exchangeLevel() == ExchangeLevel::Tpdu);
    d.dwFeatures = 0x00020000;
    CHECK(d.exchangeLevel() == ExchangeLevel::ShortApdu);
    d.dwFeatures = 0x00040000;
    CHECK(d.exchangeLevel() == ExchangeLevel::ExtendedApdu);
    for (std::uint32_t bad : {0x00030000u, 0x00050000u, 0x00060000u, 0x00070000u}) {
        d.dwFeatures = bad;
        notCcidReason([&] { d.exchangeLevel(); });
    }
}

TEST_CASE("encode writes every field back at its CCID §5.1 offset") {
    for (const readers::Reader& reader : readers::all) {
        CAPTURE(reader.id);
        CHECK(ClassDescriptor::parse(reader.classDescriptorBytes()).encode() ==
              reader.classDescriptorBytes());
    }
    ClassDescriptor d;
    d.bcdCCID = 0x0110;
    d.bMaxSlotIndex = 0x01;
    d.bVoltageSupport = 0x02;
    d.dwProtocols = 0x03;
    d.dwDefaultClock = 0x04050607;
    d.dwMaximumClock = 0x08090A0B;
    d.bNumClockSupported = 0x0C;
    d.dwDataRate = 0x0D0E0F10;
    d.dwMaxDataRate = 0x11121314;
    d.bNumDataRatesSupported = 0x15;
    d.dwMaxIFSD = 0x16171819;
    d.dwSynchProtocols = 0x1A1B1C1D;
    d.dwMechanical = 0x1E1F2021;
    d.dwFeatures = 0x22232425;
    d.dwMaxCCIDMessageLength = 0x26272829;
    d.bClassGetResponse = 0x2A;
    d.bClassEnvelope = 0x2B;
    d.wLcdLayout = 0x2C2D;
    d.bPINSupport = 0x2E;
    d.bMaxCCIDBusySlots = 0x2F;
    CHECK(d.encode() ==
          fromHex("36 21 1001 01 02 03000000 07060504 0B0A0908 0C 100F0E0D 14131211"
                  "15 19181716 1D1C1B1A 21201F1E 25242322 29282726 2A 2B 2D2C 2E 2F"));
}

TEST_CASE("every known reader with a vendor-class CCID interface is in the production table") {
    for (const KnownReader& reader : knownReaders()) {
        const auto configuration =
            usb::parseConfigurationDescriptor(reader.configurationDescriptor);
        if (findInterface(configuration).bInterfaceClass != 0xFF) continue;
        CAPTURE(reader.name);
        const auto rows = vendorClassReaders();
        CHECK(std::any_of(rows.begin(), rows.end(), [&](const VendorClassReader& row) {
            return row.idVendor == reader.idVendor && row.idProduct == reader.idProduct;
        }));
    }
}
