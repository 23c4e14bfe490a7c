// USB configuration and device descriptors (USB 2.0 §9.6.1, §9.6.3-§9.6.6).
#include "reader_descriptors.hpp"

#include "kamusm/usb/descriptor.hpp"
#include "kamusm/usb/error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kamusm;
using namespace kamusm::usb;

namespace {

// The error's message, checked to be a MalformedDescriptor.
std::string malformedReason(ByteView bytes) {
    try {
        parseConfigurationDescriptor(bytes);
    } catch (const usb::Error& failure) {
        CHECK(failure.code() == ErrorCode::MalformedDescriptor);
        return failure.what();
    }
    FAIL("no usb::Error thrown");
    return {};
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("the ACR39U configuration: one CCID interface, its class descriptor, three endpoints") {
    const ConfigurationDescriptor c = parseConfigurationDescriptor(readers::acr39u.configuration());
    CHECK(c.bConfigurationValue == 1);
    CHECK(c.bmAttributes == 0x80);
    CHECK(c.bMaxPower == 0x32);
    REQUIRE(c.interfaces.size() == 1);
    const InterfaceDescriptor& i = c.interfaces[0];
    CHECK(i.bInterfaceNumber == 0);
    CHECK(i.bAlternateSetting == 0);
    CHECK(i.bInterfaceClass == 0x0B);
    CHECK(i.bInterfaceSubClass == 0);
    CHECK(i.bInterfaceProtocol == 0);
    REQUIRE(i.extra.size() == 1);
    CHECK(i.extra[0] == readers::acr39u.classDescriptorBytes());
    REQUIRE(i.endpoints.size() == 3);
    CHECK(i.endpoints[0].bEndpointAddress == 0x02);
    CHECK_FALSE(i.endpoints[0].in());
    CHECK(i.endpoints[0].transferType() == TransferType::Bulk);
    CHECK(i.endpoints[0].wMaxPacketSize == 64);
    CHECK(i.endpoints[1].in());
    CHECK(i.endpoints[1].number() == 2);
    CHECK(i.endpoints[2].transferType() == TransferType::Interrupt);
    CHECK(i.endpoints[2].number() == 3);
    CHECK(i.endpoints[2].wMaxPacketSize == 8);
    CHECK(i.endpoints[2].bInterval == 0x10);
}

TEST_CASE("a class descriptor after the endpoints still belongs to the interface") {
    const ConfigurationDescriptor c =
        parseConfigurationDescriptor(readers::classDescriptorAfterEndpoints(readers::twoslot));
    REQUIRE(c.interfaces.size() == 1);
    CHECK(c.interfaces[0].bInterfaceClass == 0xFF);
    CHECK(c.interfaces[0].endpoints.size() == 3);
    REQUIRE(c.interfaces[0].extra.size() == 1);
    CHECK(c.interfaces[0].extra[0] == readers::twoslot.classDescriptorBytes());
}

TEST_CASE("descriptors before the first interface are skipped; several interfaces are kept") {
    // Configuration, an interface association (0x0B), a HID interface with its HID descriptor
    // and one endpoint, then a CCID interface with a vendor descriptor before its class one.
    const Bytes bytes = fromHex("09 02 4500 02 01 00 A0 FA"
                                "08 0B 00 02 03 00 00 00"
                                "09 04 00 00 01 03 00 00 00"
                                "09 21 11 01 00 01 22 1C00"
                                "07 05 81 03 0800 0A"
                                "09 04 01 01 02 0B 00 00 00"
                                "04 FF AA BB"
                                "07 05 83 02 0002 00"
                                "07 05 04 02 0002 00");
    const ConfigurationDescriptor c = parseConfigurationDescriptor(bytes);
    CHECK(c.bmAttributes == 0xA0);
    CHECK(c.bMaxPower == 0xFA);
    REQUIRE(c.interfaces.size() == 2);
    CHECK(c.interfaces[0].bInterfaceClass == 0x03);
    REQUIRE(c.interfaces[0].extra.size() == 1);
    CHECK(c.interfaces[0].extra[0] == fromHex("09 21 11 01 00 01 22 1C00"));
    CHECK(c.interfaces[0].endpoints.size() == 1);
    CHECK(c.interfaces[1].bInterfaceNumber == 1);
    CHECK(c.interfaces[1].bAlternateSetting == 1);
    REQUIRE(c.interfaces[1].extra.size() == 1);
    CHECK(c.interfaces[1].extra[0] == fromHex("04 FF AA BB"));
    REQUIRE(c.interfaces[1].endpoints.size() == 2);
    CHECK(c.interfaces[1].endpoints[0].wMaxPacketSize == 512);
}

TEST_CASE("malformed configuration descriptors") {
    const Bytes good = readers::acr39u.configuration();

    CHECK(contains(malformedReason({}), "needs at least 9"));
    CHECK(contains(malformedReason(Bytes(good.begin(), good.begin() + 8)), "needs at least 9"));

    SUBCASE("truncated: wTotalLength no longer matches") {
        const Bytes cut(good.begin(), good.end() - 1);
        CHECK(contains(malformedReason(cut), "wTotalLength"));
    }
    SUBCASE("extra bytes after wTotalLength") {
        Bytes longer = good;
        longer.push_back(0);
        CHECK(contains(malformedReason(longer), "wTotalLength"));
    }
    SUBCASE("not a configuration descriptor") {
        Bytes wrongType = good;
        wrongType[1] = 0x01;
        CHECK(contains(malformedReason(wrongType), "not a configuration"));
    }
    SUBCASE("a configuration bLength longer than the whole") {
        const Bytes bad = fromHex("FF 02 0900 00 01 00 80 32");
        CHECK(contains(malformedReason(bad), "bLength 255 runs past the end"));
    }
    SUBCASE("bLength below 2 would loop forever") {
        for (int bLength : {0, 1}) {
            Bytes bad = good;
            bad[9] = static_cast<std::uint8_t>(bLength); // the interface descriptor
            CHECK(contains(malformedReason(bad), "bLength"));
        }
    }
    SUBCASE("a descriptor running past the end") {
        Bytes bad = good;
        bad[good.size() - 7] = 8; // the last endpoint claims one byte more than there is
        CHECK(contains(malformedReason(bad), "past the end"));
    }
    SUBCASE("an endpoint before any interface") {
        const Bytes bad = fromHex("09 02 1000 01 01 00 80 32  07 05 81 02 4000 00");
        CHECK(contains(malformedReason(bad), "before any interface"));
    }
    SUBCASE("a truncated endpoint or interface descriptor") {
        const Bytes shortEndpoint = fromHex("09 02 1800 01 01 00 80 32"
                                            "09 04 00 00 01 0B 00 00 00  06 05 81 02 4000");
        CHECK(contains(malformedReason(shortEndpoint), "endpoint descriptor is 6 bytes"));
        const Bytes shortInterface = fromHex("09 02 1100 01 01 00 80 32  08 04 00 00 01 0B 00 00");
        CHECK(contains(malformedReason(shortInterface), "interface descriptor is 8 bytes"));
    }
}

TEST_CASE("device descriptor") {
    // ACR39U: USB 2.0, class at interface level, EP0 of 8 bytes, 072F:B100, release 2.16.
    const DeviceDescriptor d =
        parseDeviceDescriptor(fromHex("12 01 0002 00 00 00 08 2F07 00B1 1602 01 02 00 01"));
    CHECK(d.bcdUSB == 0x0200);
    CHECK(d.bDeviceClass == 0);
    CHECK(d.bMaxPacketSize0 == 8);
    CHECK(d.idVendor == 0x072F);
    CHECK(d.idProduct == 0xB100);
    CHECK(d.bcdDevice == 0x0216);
    CHECK(d.bNumConfigurations == 1);

    for (const char* bad : {"12 01 0002 00 00 00 08 2F07 00B1 1602 01 02 00",    // 17 bytes
                            "12 02 0002 00 00 00 08 2F07 00B1 1602 01 02 00 01", // wrong type
                            "11 01 0002 00 00 00 08 2F07 00B1 1602 01 02 00 01"}) {
        try {
            parseDeviceDescriptor(fromHex(bad));
            FAIL("accepted " << bad);
        } catch (const usb::Error& failure) {
            CHECK(failure.code() == ErrorCode::MalformedDescriptor);
        }
    }
}
