// The CCID class descriptor (CCID Rev 1.1 §5.1), its derived properties, and where a reader's
// CCID interface lives in its configuration descriptor.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::ccid {

inline constexpr std::uint8_t classDescriptorLength = 0x36; // 54
inline constexpr std::uint8_t classDescriptorType = 0x21;

enum class ExchangeLevel { Character, Tpdu, ShortApdu, ExtendedApdu };
// "character", "tpdu", "short_apdu", "extended_apdu" (pinctl's JSON, interfaces.md).
const char* exchangeLevelName(ExchangeLevel level);

// dwFeatures bits (CCID §5.1, table 5.1-1).
namespace Feature {
inline constexpr std::uint32_t AutoParameterFromAtr = 0x00000002;
inline constexpr std::uint32_t AutoActivation = 0x00000004;
inline constexpr std::uint32_t AutoVoltage = 0x00000008;
inline constexpr std::uint32_t AutoClock = 0x00000010;
inline constexpr std::uint32_t AutoBaudRate = 0x00000020;
inline constexpr std::uint32_t AutoParameterNegotiation = 0x00000040;
inline constexpr std::uint32_t AutoPps = 0x00000080;
inline constexpr std::uint32_t ClockStop = 0x00000100;
inline constexpr std::uint32_t NadOtherThanZero = 0x00000200;
inline constexpr std::uint32_t AutoIfsd = 0x00000400;
inline constexpr std::uint32_t LevelMask = 0x00070000;
inline constexpr std::uint32_t LevelTpdu = 0x00010000;
inline constexpr std::uint32_t LevelShortApdu = 0x00020000;
inline constexpr std::uint32_t LevelExtendedApdu = 0x00040000;
inline constexpr std::uint32_t UsbWakeUp = 0x00100000;
} // namespace Feature

struct ClassDescriptor {
    std::uint16_t bcdCCID = 0;
    std::uint8_t bMaxSlotIndex = 0;
    std::uint8_t bVoltageSupport = 0; // 0x01 5.0 V, 0x02 3.0 V, 0x04 1.8 V
    std::uint32_t dwProtocols = 0;    // bit 0 T=0, bit 1 T=1
    std::uint32_t dwDefaultClock = 0; // kHz
    std::uint32_t dwMaximumClock = 0; // kHz
    std::uint8_t bNumClockSupported = 0;
    std::uint32_t dwDataRate = 0;    // bps
    std::uint32_t dwMaxDataRate = 0; // bps
    std::uint8_t bNumDataRatesSupported = 0;
    std::uint32_t dwMaxIFSD = 0;
    std::uint32_t dwSynchProtocols = 0;
    std::uint32_t dwMechanical = 0;
    std::uint32_t dwFeatures = 0;
    std::uint32_t dwMaxCCIDMessageLength = 0;
    std::uint8_t bClassGetResponse = 0;
    std::uint8_t bClassEnvelope = 0;
    std::uint16_t wLcdLayout = 0;
    std::uint8_t bPINSupport = 0;
    std::uint8_t bMaxCCIDBusySlots = 0;

    ExchangeLevel exchangeLevel() const;
    bool autoPps() const;                      // dwFeatures 0x40 or 0x80
    bool autoIfsd() const;                     // dwFeatures 0x400
    bool autoVoltage() const;                  // dwFeatures 0x08
    std::vector<int> protocols() const;        // every bit of dwProtocols that is set
    bool supportsProtocol(int protocol) const; // T=0 or T=1, the ones a card session can use
    std::string bcdCCIDText() const;           // "1.10"

    // Throws ccid::Error{NotCcid} unless bLength is 54 and bDescriptorType 0x21 and the
    // fields are consistent (at least one protocol, a known exchange level, message length
    // of at least header + 1).
    static ClassDescriptor parse(ByteView bytes);
    Bytes encode() const; // bLength 54, bDescriptorType 0x21
};

// A reader's CCID interface: class 0x0B, or vendor class 0xFF carrying a 54-byte descriptor of
// type 0x21 (found anywhere among the interface's extra descriptors, also after the endpoints).
struct InterfaceInfo {
    std::uint8_t bInterfaceNumber = 0;
    std::uint8_t bInterfaceClass = 0;
    std::uint8_t bulkIn = 0, bulkOut = 0; // endpoint numbers
    std::optional<std::uint8_t> interruptIn;
    std::uint16_t bulkInMaxPacketSize = 64;
    ClassDescriptor descriptor;
};

// Throws ccid::Error{NotCcid} when the configuration has no usable CCID interface.
InterfaceInfo findInterface(const usb::ConfigurationDescriptor& configuration);

} // namespace kamusm::ccid
