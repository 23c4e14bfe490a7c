// Real readers' USB configuration descriptors for the test suites. The CCID class descriptors
// are rebuilt from the parse dumps in LudovicRousseau/CCID readers/*.txt (file named per
// reader); the configuration header and the endpoints, which those dumps do not list, follow
// the one full-speed layout documented in src/ccid/known_readers.cpp. The same bytes make the
// table in kamusm/ccid/known_readers.hpp (the ccid suite checks the two agree); this header
// needs no library, so the usb and cli suites can use it too.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <string>
#include <string_view>

namespace readers {

inline constexpr std::string_view configurationHeader = "09 02 5D00 01 01 00 80 32";
inline constexpr std::string_view endpoints = "07 05 02 02 4000 00"  // bulk-OUT 2
                                              "07 05 82 02 4000 00"  // bulk-IN 2
                                              "07 05 83 03 0800 10"; // interrupt-IN 3

struct Reader {
    std::string_view id, readersFile;
    std::string_view interface;       // the 9-byte interface descriptor
    std::string_view classDescriptor; // the 54-byte CCID class descriptor

    kamusm::Bytes configuration() const {
        return kamusm::fromHex(std::string(configurationHeader) + std::string(interface) +
                               std::string(classDescriptor) + std::string(endpoints));
    }
    kamusm::Bytes classDescriptorBytes() const { return kamusm::fromHex(classDescriptor); }
};

// ACS ACR39U ICC Reader, 072F:B100: TPDU, dwFeatures 0x000100B2.
inline constexpr Reader acr39u{
    "acr39u", "readers/ACS_ACR39U_ICC_Reader.txt", "09 04 00 00 03 0B 00 00 00",
    "36 21 1001 00 07 03000000 C0120000 803E0000 00 67320000 909A0C00 00 F7000000 00000000 "
    "00000000 B2000100 0F010000 FF FF 0000 00 01"};

// ArkSigner Connect2Sign, 33B6:0001: short APDU, dwFeatures 0x0002007E.
inline constexpr Reader connect2sign{
    "connect2sign", "readers/ArkSigner_Connect2Sign.txt", "09 04 00 00 03 0B 00 00 00",
    "36 21 1001 00 06 03000000 C0120000 C0120000 00 67320000 B4C40400 00 FE000000 00000000 "
    "00000000 7E000200 FE010000 FF FF 0000 00 01"};

// Alcor Link AK9563 (Generic EMV Smartcard Reader), 2CE3:9563: extended APDU, 0x000404BE.
inline constexpr Reader extended{
    "extended", "readers/Alcor_Link_AK9563.txt", "09 04 00 00 03 0B 00 00 00",
    "36 21 1001 00 07 03000000 A00F0000 E02E0000 03 012A0000 2C800A00 5F FE000000 07000000 "
    "00000000 BE040400 10010000 FF FF 0000 00 01"};

// SCM SCR331-DI, 04E6:5111: two slots behind a vendor-class (0xFF) interface, TPDU.
inline constexpr Reader twoslot{
    "twoslot", "readers/SCR331-DI.txt", "09 04 00 00 03 FF 00 00 04",
    "36 21 0001 01 01 03000000 A00F0000 E02E0000 00 80250000 00B00400 00 FC000000 00000000 "
    "00000000 BA000100 07010000 FF FF 0000 00 01"};

inline constexpr Reader all[] = {acr39u, connect2sign, extended, twoslot};

// The layout libccid (src/ccid_usb.c, O2MICRO_OZ776_PATCH) describes for the O2Micro Oz776,
// Reiner SCT and bludrive II: the CCID class descriptor after the last endpoint descriptor.
inline kamusm::Bytes classDescriptorAfterEndpoints(const Reader& reader) {
    return kamusm::fromHex(std::string(configurationHeader) + std::string(reader.interface) +
                           std::string(endpoints) + std::string(reader.classDescriptor));
}

} // namespace readers
