// CCID bulk and interrupt messages (CCID Rev 1.1 §6): one struct for the 10-byte header plus
// abData, builders for every PC_to_RDR message, and accessors named after the spec's fields.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <array>
#include <cstdint>

namespace kamusm::ccid {

namespace PC_to_RDR {
inline constexpr std::uint8_t IccPowerOn = 0x62;
inline constexpr std::uint8_t IccPowerOff = 0x63;
inline constexpr std::uint8_t GetSlotStatus = 0x65;
inline constexpr std::uint8_t XfrBlock = 0x6F;
inline constexpr std::uint8_t GetParameters = 0x6C;
inline constexpr std::uint8_t ResetParameters = 0x6D;
inline constexpr std::uint8_t SetParameters = 0x61;
inline constexpr std::uint8_t Escape = 0x6B;
inline constexpr std::uint8_t IccClock = 0x6E;
inline constexpr std::uint8_t T0APDU = 0x6A;
inline constexpr std::uint8_t Secure = 0x69;
inline constexpr std::uint8_t Mechanical = 0x71;
inline constexpr std::uint8_t Abort = 0x72;
inline constexpr std::uint8_t SetDataRateAndClockFrequency = 0x73;
} // namespace PC_to_RDR

namespace RDR_to_PC {
inline constexpr std::uint8_t DataBlock = 0x80;
inline constexpr std::uint8_t SlotStatus = 0x81;
inline constexpr std::uint8_t Parameters = 0x82;
inline constexpr std::uint8_t Escape = 0x83;
inline constexpr std::uint8_t DataRateAndClockFrequency = 0x84;
inline constexpr std::uint8_t NotifySlotChange = 0x50; // interrupt endpoint
inline constexpr std::uint8_t HardwareError = 0x51;    // interrupt endpoint
} // namespace RDR_to_PC

inline constexpr std::size_t headerSize = 10;

// bPowerSelect of PC_to_RDR_IccPowerOn.
enum class Voltage : std::uint8_t { Automatic = 0, V5_0 = 1, V3_0 = 2, V1_8 = 3 };

// bmICCStatus (bStatus bits 0-1) and bmCommandStatus (bits 6-7).
enum class IccStatus : std::uint8_t { PresentActive = 0, PresentInactive = 1, Absent = 2 };
enum class CommandStatus : std::uint8_t { Processed = 0, Failed = 1, TimeExtension = 2 };

// A bulk message in either direction. `specific` holds header bytes 7..9 (bSpecific_0..2).
struct Message {
    std::uint8_t bMessageType = 0;
    std::uint8_t bSlot = 0;
    std::uint8_t bSeq = 0;
    std::array<std::uint8_t, 3> specific{};
    Bytes abData;

    Bytes encode() const;
    // Throws ccid::Error{MalformedMessage}: under 10 bytes, or dwLength not matching the rest.
    static Message decode(ByteView bytes);

    // RDR_to_PC header fields.
    std::uint8_t bStatus() const { return specific[0]; }
    std::uint8_t bError() const { return specific[1]; }
    IccStatus iccStatus() const { return static_cast<IccStatus>(bStatus() & 0x03); }
    CommandStatus commandStatus() const { return static_cast<CommandStatus>(bStatus() >> 6); }
    std::uint8_t bChainParameter() const { return specific[2]; } // DataBlock
    std::uint8_t bClockStatus() const { return specific[2]; }    // SlotStatus
    std::uint8_t bProtocolNum() const { return specific[2]; }    // Parameters
};

// PC_to_RDR builders (bSeq is filled in by the reader when sending).
Message iccPowerOn(std::uint8_t slot, Voltage voltage);
Message iccPowerOff(std::uint8_t slot);
Message getSlotStatus(std::uint8_t slot);
Message xfrBlock(std::uint8_t slot, ByteView data, std::uint8_t bBWI = 0,
                 std::uint16_t wLevelParameter = 0);
Message getParameters(std::uint8_t slot);
Message resetParameters(std::uint8_t slot);
Message setParameters(std::uint8_t slot, std::uint8_t bProtocolNum, ByteView protocolData);
Message escape(std::uint8_t slot, ByteView data);
Message iccClock(std::uint8_t slot, bool stop);
Message secure(std::uint8_t slot, ByteView data, std::uint8_t bBWI = 0,
               std::uint16_t wLevelParameter = 0);
Message abort(std::uint8_t slot);
// abData: dwClockFrequency (kHz, as the spec counts it) then dwDataRate (bps).
Message setDataRateAndClockFrequency(std::uint8_t slot, std::uint32_t clockKhz,
                                     std::uint32_t dataRate);

// abProtocolDataStructure for SetParameters / Parameters (CCID §6.1.7).
struct T0Parameters {
    std::uint8_t bmFindexDindex = 0x11;
    std::uint8_t bmTCCKST0 = 0x00; // bit 1: inverse convention
    std::uint8_t bGuardTimeT0 = 0x00;
    std::uint8_t bWaitingIntegerT0 = 0x0A;
    std::uint8_t bClockStop = 0x00;
    Bytes encode() const;
    static T0Parameters decode(ByteView bytes);
};
struct T1Parameters {
    std::uint8_t bmFindexDindex = 0x11;
    std::uint8_t bmTCCKST1 = 0x10; // bit 0: CRC, bit 1: inverse convention; 0x10 fixed
    std::uint8_t bGuardTimeT1 = 0x00;
    std::uint8_t bWaitingIntegerT1 = 0x4D; // BWI << 4 | CWI
    std::uint8_t bClockStop = 0x00;
    std::uint8_t bIFSC = 0x20;
    std::uint8_t bNadValue = 0x00;
    Bytes encode() const;
    static T1Parameters decode(ByteView bytes);
};

// Interrupt-IN message: RDR_to_PC_NotifySlotChange (bmSlotICCState, 2 bits per slot: bit 0
// card present, bit 1 changed) or RDR_to_PC_HardwareError.
struct InterruptMessage {
    std::uint8_t bMessageType = 0;
    Bytes bmSlotICCState;                                     // NotifySlotChange
    std::uint8_t bSlot = 0, bSeq = 0, bHardwareErrorCode = 0; // HardwareError
    bool cardPresent(std::uint8_t slot) const;
    bool changed(std::uint8_t slot) const;
    Bytes encode() const;
    static InterruptMessage decode(ByteView bytes); // throws ccid::Error{MalformedMessage}
};

} // namespace kamusm::ccid
