#include "kamusm/ccid/descriptor.hpp"

#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/message.hpp"

#include <array>
#include <cstdio>

namespace kamusm::ccid {

namespace {

[[noreturn]] void notCcid(const std::string& reason) {
    throw Error(ErrorCode::NotCcid, reason);
}

// dwFeatures level bits to the exchange level (CCID §5.1); other combinations are invalid.
struct LevelRow {
    std::uint32_t bits;
    ExchangeLevel level;
};
constexpr std::array<LevelRow, 4> levelTable{{
    {0, ExchangeLevel::Character},
    {Feature::LevelTpdu, ExchangeLevel::Tpdu},
    {Feature::LevelShortApdu, ExchangeLevel::ShortApdu},
    {Feature::LevelExtendedApdu, ExchangeLevel::ExtendedApdu},
}};

const LevelRow* findLevel(std::uint32_t dwFeatures) {
    for (const LevelRow& row : levelTable)
        if (row.bits == (dwFeatures & Feature::LevelMask)) return &row;
    return nullptr;
}

constexpr int protocolBits = 16; // dwProtocols: T=0, T=1, then RFU bits up to 15

std::string hex32(std::uint32_t value) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08X", value);
    return text;
}

} // namespace

ExchangeLevel ClassDescriptor::exchangeLevel() const {
    const LevelRow* row = findLevel(dwFeatures);
    if (!row) notCcid("dwFeatures " + hex32(dwFeatures) + " names no single exchange level");
    return row->level;
}

bool ClassDescriptor::autoPps() const {
    return (dwFeatures & (Feature::AutoParameterNegotiation | Feature::AutoPps)) != 0;
}
bool ClassDescriptor::autoIfsd() const {
    return (dwFeatures & Feature::AutoIfsd) != 0;
}
bool ClassDescriptor::autoVoltage() const {
    return (dwFeatures & Feature::AutoVoltage) != 0;
}

std::vector<int> ClassDescriptor::protocols() const {
    std::vector<int> result;
    for (int protocol = 0; protocol < protocolBits; ++protocol)
        if ((dwProtocols >> protocol & 1) != 0) result.push_back(protocol);
    return result;
}

bool ClassDescriptor::supportsProtocol(int protocol) const {
    return protocol >= 0 && protocol <= 1 && (dwProtocols >> protocol & 1) != 0;
}

std::string ClassDescriptor::bcdCCIDText() const {
    char text[8];
    std::snprintf(text, sizeof text, "%X.%02X", bcdCCID >> 8, bcdCCID & 0xFF);
    return text;
}

ClassDescriptor ClassDescriptor::parse(ByteView bytes) {
    if (bytes.size() != classDescriptorLength)
        notCcid("CCID class descriptor is " + std::to_string(bytes.size()) + " bytes, not 54");
    if (bytes[0] != classDescriptorLength)
        notCcid("CCID class descriptor has bLength " + std::to_string(bytes[0]) + ", not 54");
    if (bytes[1] != classDescriptorType)
        notCcid("CCID class descriptor has bDescriptorType " + std::to_string(bytes[1]) +
                ", not 0x21");
    ClassDescriptor d;
    d.bcdCCID = readLittle16(bytes, 2);
    d.bMaxSlotIndex = bytes[4];
    d.bVoltageSupport = bytes[5];
    d.dwProtocols = readLittle32(bytes, 6);
    d.dwDefaultClock = readLittle32(bytes, 10);
    d.dwMaximumClock = readLittle32(bytes, 14);
    d.bNumClockSupported = bytes[18];
    d.dwDataRate = readLittle32(bytes, 19);
    d.dwMaxDataRate = readLittle32(bytes, 23);
    d.bNumDataRatesSupported = bytes[27];
    d.dwMaxIFSD = readLittle32(bytes, 28);
    d.dwSynchProtocols = readLittle32(bytes, 32);
    d.dwMechanical = readLittle32(bytes, 36);
    d.dwFeatures = readLittle32(bytes, 40);
    d.dwMaxCCIDMessageLength = readLittle32(bytes, 44);
    d.bClassGetResponse = bytes[48];
    d.bClassEnvelope = bytes[49];
    d.wLcdLayout = readLittle16(bytes, 50);
    d.bPINSupport = bytes[52];
    d.bMaxCCIDBusySlots = bytes[53];

    // Other protocol bits (contactless readers, RFU) are decoded and listed, as libccid's dumps
    // do; a card session needs T=0 or T=1, which connect() checks.
    d.exchangeLevel(); // throws on an invalid level combination
    if (d.dwMaxCCIDMessageLength <= headerSize)
        notCcid("dwMaxCCIDMessageLength " + std::to_string(d.dwMaxCCIDMessageLength) +
                " leaves no room for data after the 10-byte header");
    return d;
}

Bytes ClassDescriptor::encode() const {
    Bytes out{classDescriptorLength, classDescriptorType};
    appendLittle16(out, bcdCCID);
    out.push_back(bMaxSlotIndex);
    out.push_back(bVoltageSupport);
    for (std::uint32_t field : {dwProtocols, dwDefaultClock, dwMaximumClock})
        appendLittle32(out, field);
    out.push_back(bNumClockSupported);
    appendLittle32(out, dwDataRate);
    appendLittle32(out, dwMaxDataRate);
    out.push_back(bNumDataRatesSupported);
    for (std::uint32_t field :
         {dwMaxIFSD, dwSynchProtocols, dwMechanical, dwFeatures, dwMaxCCIDMessageLength})
        appendLittle32(out, field);
    out.push_back(bClassGetResponse);
    out.push_back(bClassEnvelope);
    appendLittle16(out, wLcdLayout);
    out.push_back(bPINSupport);
    out.push_back(bMaxCCIDBusySlots);
    return out;
}

namespace {

constexpr std::uint8_t classCcid = 0x0B;
constexpr std::uint8_t classVendor = 0xFF;

// The interface's CCID class descriptor: the extra descriptor of type 0x21 (any length, so
// that a wrong one is reported rather than skipped).
const Bytes* classDescriptorOf(const usb::InterfaceDescriptor& interface) {
    for (const Bytes& extra : interface.extra)
        if (extra.size() >= 2 && extra[1] == classDescriptorType) return &extra;
    return nullptr;
}

bool isCandidate(const usb::InterfaceDescriptor& interface) {
    if (interface.bInterfaceClass == classCcid) return true;
    const Bytes* descriptor = classDescriptorOf(interface);
    return interface.bInterfaceClass == classVendor && descriptor &&
           descriptor->size() == classDescriptorLength;
}

InterfaceInfo describe(const usb::InterfaceDescriptor& interface) {
    const std::string where = "interface " + std::to_string(interface.bInterfaceNumber);
    const Bytes* descriptor = classDescriptorOf(interface);
    if (!descriptor) notCcid(where + " has no CCID class descriptor");
    InterfaceInfo info;
    info.bInterfaceNumber = interface.bInterfaceNumber;
    info.bInterfaceClass = interface.bInterfaceClass;
    try {
        info.descriptor = ClassDescriptor::parse(*descriptor);
    } catch (const Error& failure) {
        // Keep the parse reason, without its "ccid: " prefix, behind the interface number.
        notCcid(where + ": " + std::string(failure.what()).substr(sizeof layerName + 1));
    }
    bool haveIn = false, haveOut = false;
    for (const usb::EndpointDescriptor& endpoint : interface.endpoints) {
        const usb::TransferType type = endpoint.transferType();
        if (type == usb::TransferType::Bulk && endpoint.in() && !haveIn) {
            info.bulkIn = endpoint.number();
            info.bulkInMaxPacketSize = endpoint.wMaxPacketSize;
            haveIn = true;
        } else if (type == usb::TransferType::Bulk && !endpoint.in() && !haveOut) {
            info.bulkOut = endpoint.number();
            haveOut = true;
        } else if (type == usb::TransferType::Interrupt && endpoint.in() && !info.interruptIn) {
            info.interruptIn = endpoint.number();
        }
    }
    if (!haveIn || !haveOut)
        notCcid(where + " lacks a bulk-" + (haveIn ? "OUT" : "IN") + " endpoint");
    return info;
}

} // namespace

InterfaceInfo findInterface(const usb::ConfigurationDescriptor& configuration) {
    // A device may have several CCID interfaces; the first usable one wins, and when none is
    // usable the first one's reason is the one reported.
    std::optional<Error> firstFailure;
    for (const usb::InterfaceDescriptor& interface : configuration.interfaces) {
        if (!isCandidate(interface)) continue;
        try {
            return describe(interface);
        } catch (const Error& failure) {
            if (!firstFailure) firstFailure = failure;
        }
    }
    if (firstFailure) throw *firstFailure;
    notCcid("no interface of class 0x0B, nor of class 0xFF with a CCID class descriptor");
}

const char* exchangeLevelName(ExchangeLevel level) {
    constexpr std::array<const char*, 4> names{"character", "tpdu", "short_apdu", "extended_apdu"};
    return names[static_cast<std::size_t>(level)];
}

} // namespace kamusm::ccid
