#include "kamusm/ccid/known_readers.hpp"

#include <stdexcept>
#include <string>

namespace kamusm::ccid {

namespace {

// The CCID class descriptors below are rebuilt field by field from the parse dumps in
// LudovicRousseau/CCID readers/*.txt (named per reader), in CCID §5.1 order, little-endian:
// bLength bDescriptorType bcdCCID bMaxSlotIndex bVoltageSupport dwProtocols dwDefaultClock
// dwMaximumClock bNumClockSupported dwDataRate dwMaxDataRate bNumDataRatesSupported dwMaxIFSD
// dwSynchProtocols dwMechanical dwFeatures dwMaxCCIDMessageLength bClassGetResponse
// bClassEnvelope wLcdLayout bPINSupport bMaxCCIDBusySlots.
//
// Those dumps list the interface and the class descriptor but not the configuration header or
// the endpoint descriptors; for those this table uses one full-speed layout for every reader
// (bus powered, 100 mA, bulk-OUT 0x02 and bulk-IN 0x82 of 64 bytes, interrupt-IN 0x83 of
// 8 bytes), which matches the "bulk-IN, bulk-OUT and Interrupt-IN" the dumps report.
constexpr std::string_view configurationHeader = "09 02 5D00 01 01 00 80 32"; // 93 bytes total
constexpr std::string_view endpoints = "07 05 02 02 4000 00"                  // bulk-OUT 2
                                       "07 05 82 02 4000 00"                  // bulk-IN 2
                                       "07 05 83 03 0800 10";                 // interrupt-IN 3

Bytes configuration(std::string_view interface, std::string_view classDescriptor) {
    return fromHex(std::string(configurationHeader) + std::string(interface) +
                   std::string(classDescriptor) + std::string(endpoints));
}

std::vector<KnownReader> buildTable() {
    return {
        // readers/ACS_ACR39U_ICC_Reader.txt: TPDU, 4.8/16 MHz, 12903/826000 bps, IFSD 247.
        {"acr39u", "ACS ACR39U ICC Reader", 0x072F, 0xB100, 0x0216,
         configuration("09 04 00 00 03 0B 00 00 00",
                       "36 21 1001 00 07 03000000 C0120000 803E0000 00 67320000 909A0C00 00 "
                       "F7000000 00000000 00000000 B2000100 0F010000 FF FF 0000 00 01")},
        // readers/ArkSigner_Connect2Sign.txt: short APDU, 4.8/4.8 MHz, 12903/312500 bps.
        {"connect2sign", "ArkSigner Connect2Sign", 0x33B6, 0x0001, 0x0100,
         configuration("09 04 00 00 03 0B 00 00 00",
                       "36 21 1001 00 06 03000000 C0120000 C0120000 00 67320000 B4C40400 00 "
                       "FE000000 00000000 00000000 7E000200 FE010000 FF FF 0000 00 01")},
        // readers/Alcor_Link_AK9563.txt: short and extended APDU, 3 clocks, 95 data rates,
        // 2-wire/3-wire/I2C synchronous protocols.
        {"extended", "Generic EMV Smartcard Reader (Alcor Link AK9563)", 0x2CE3, 0x9563, 0x0120,
         configuration("09 04 00 00 03 0B 00 00 00",
                       "36 21 1001 00 07 03000000 A00F0000 E02E0000 03 012A0000 2C800A00 5F "
                       "FE000000 07000000 00000000 BE040400 10010000 FF FF 0000 00 01")},
        // readers/SCR331-DI.txt: two slots (contact + contactless) behind a vendor-class
        // (0xFF) interface with a standard CCID descriptor, bcdCCID 1.00, iInterface 4.
        {"twoslot", "SCM Microsystems Inc. SCR331-DI USB Smart Card Reader", 0x04E6, 0x5111, 0x0622,
         configuration("09 04 00 00 03 FF 00 00 04",
                       "36 21 0001 01 01 03000000 A00F0000 E02E0000 00 80250000 00B00400 00 "
                       "FC000000 00000000 00000000 BA000100 07010000 FF FF 0000 00 01")},
    };
}

} // namespace

const std::vector<KnownReader>& knownReaders() {
    static const std::vector<KnownReader> table = buildTable();
    return table;
}

const KnownReader& knownReader(std::string_view id) {
    for (const KnownReader& reader : knownReaders())
        if (reader.id == id) return reader;
    throw std::out_of_range("no known reader \"" + std::string(id) + "\"");
}

} // namespace kamusm::ccid
