#include "kamusm/ccid/message.hpp"

#include "kamusm/ccid/error.hpp"

#include <string>

namespace kamusm::ccid {

namespace {

[[noreturn]] void malformed(const std::string& reason) {
    throw Error(ErrorCode::MalformedMessage, reason);
}

// A PC_to_RDR message: header bytes 7..9 are the spec's bSpecific fields, RFU ones zero.
Message build(std::uint8_t type, std::uint8_t slot, std::array<std::uint8_t, 3> specific = {},
              ByteView data = {}) {
    return {type, slot, 0, specific, Bytes(data.begin(), data.end())};
}

// bBWI then wLevelParameter, little-endian (XfrBlock, Secure).
std::array<std::uint8_t, 3> blockSpecific(std::uint8_t bBWI, std::uint16_t wLevelParameter) {
    return {bBWI, static_cast<std::uint8_t>(wLevelParameter),
            static_cast<std::uint8_t>(wLevelParameter >> 8)};
}

void requireSize(ByteView bytes, std::size_t size, const char* what) {
    if (bytes.size() != size)
        malformed(std::string(what) + " is " + std::to_string(bytes.size()) + " bytes, not " +
                  std::to_string(size));
}

constexpr std::size_t hardwareErrorSize = 4;

} // namespace

Bytes Message::encode() const {
    Bytes out{bMessageType};
    appendLittle32(out, static_cast<std::uint32_t>(abData.size()));
    out.push_back(bSlot);
    out.push_back(bSeq);
    out.insert(out.end(), specific.begin(), specific.end());
    out.insert(out.end(), abData.begin(), abData.end());
    return out;
}

Message Message::decode(ByteView bytes) {
    if (bytes.size() < headerSize)
        malformed("message is " + std::to_string(bytes.size()) + " bytes, shorter than its header");
    const std::uint32_t dwLength = readLittle32(bytes, 1);
    if (dwLength != bytes.size() - headerSize)
        malformed("dwLength is " + std::to_string(dwLength) + " but " +
                  std::to_string(bytes.size() - headerSize) + " bytes follow the header");
    Message message;
    message.bMessageType = bytes[0];
    message.bSlot = bytes[5];
    message.bSeq = bytes[6];
    message.specific = {bytes[7], bytes[8], bytes[9]};
    message.abData.assign(bytes.begin() + headerSize, bytes.end());
    return message;
}

Message iccPowerOn(std::uint8_t slot, Voltage voltage) {
    return build(PC_to_RDR::IccPowerOn, slot, {static_cast<std::uint8_t>(voltage), 0, 0});
}
Message iccPowerOff(std::uint8_t slot) {
    return build(PC_to_RDR::IccPowerOff, slot);
}
Message getSlotStatus(std::uint8_t slot) {
    return build(PC_to_RDR::GetSlotStatus, slot);
}

Message xfrBlock(std::uint8_t slot, ByteView data, std::uint8_t bBWI,
                 std::uint16_t wLevelParameter) {
    return build(PC_to_RDR::XfrBlock, slot, blockSpecific(bBWI, wLevelParameter), data);
}

Message getParameters(std::uint8_t slot) {
    return build(PC_to_RDR::GetParameters, slot);
}
Message resetParameters(std::uint8_t slot) {
    return build(PC_to_RDR::ResetParameters, slot);
}

Message setParameters(std::uint8_t slot, std::uint8_t bProtocolNum, ByteView protocolData) {
    return build(PC_to_RDR::SetParameters, slot, {bProtocolNum, 0, 0}, protocolData);
}

Message escape(std::uint8_t slot, ByteView data) {
    return build(PC_to_RDR::Escape, slot, {}, data);
}

Message iccClock(std::uint8_t slot, bool stop) {
    // bClockCommand: 0x00 restart the clock, 0x01 stop it.
    return build(PC_to_RDR::IccClock, slot, {static_cast<std::uint8_t>(stop ? 1 : 0), 0, 0});
}

Message secure(std::uint8_t slot, ByteView data, std::uint8_t bBWI, std::uint16_t wLevelParameter) {
    return build(PC_to_RDR::Secure, slot, blockSpecific(bBWI, wLevelParameter), data);
}

Message abort(std::uint8_t slot) {
    return build(PC_to_RDR::Abort, slot);
}

Message setDataRateAndClockFrequency(std::uint8_t slot, std::uint32_t clockKhz,
                                     std::uint32_t dataRate) {
    Bytes data;
    appendLittle32(data, clockKhz);
    appendLittle32(data, dataRate);
    return build(PC_to_RDR::SetDataRateAndClockFrequency, slot, {}, data);
}

Bytes T0Parameters::encode() const {
    return {bmFindexDindex, bmTCCKST0, bGuardTimeT0, bWaitingIntegerT0, bClockStop};
}

T0Parameters T0Parameters::decode(ByteView bytes) {
    requireSize(bytes, 5, "T=0 abProtocolDataStructure");
    return {bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]};
}

Bytes T1Parameters::encode() const {
    return {bmFindexDindex, bmTCCKST1, bGuardTimeT1, bWaitingIntegerT1,
            bClockStop,     bIFSC,     bNadValue};
}

T1Parameters T1Parameters::decode(ByteView bytes) {
    requireSize(bytes, 7, "T=1 abProtocolDataStructure");
    return {bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6]};
}

bool InterruptMessage::cardPresent(std::uint8_t slot) const {
    const std::size_t index = slot / 4u;
    return index < bmSlotICCState.size() && (bmSlotICCState[index] >> (slot % 4 * 2) & 1) != 0;
}

bool InterruptMessage::changed(std::uint8_t slot) const {
    const std::size_t index = slot / 4u;
    return index < bmSlotICCState.size() && (bmSlotICCState[index] >> (slot % 4 * 2 + 1) & 1) != 0;
}

Bytes InterruptMessage::encode() const {
    Bytes out{bMessageType};
    if (bMessageType == RDR_to_PC::HardwareError) {
        out.insert(out.end(), {bSlot, bSeq, bHardwareErrorCode});
    } else {
        out.insert(out.end(), bmSlotICCState.begin(), bmSlotICCState.end());
    }
    return out;
}

InterruptMessage InterruptMessage::decode(ByteView bytes) {
    if (bytes.empty()) malformed("empty interrupt message");
    InterruptMessage message;
    message.bMessageType = bytes[0];
    switch (bytes[0]) {
    case RDR_to_PC::NotifySlotChange:
        // ceil(2 * slots / 8) bytes of bmSlotICCState: at least one for the first slot.
        if (bytes.size() < 2) malformed("NotifySlotChange carries no bmSlotICCState");
        message.bmSlotICCState.assign(bytes.begin() + 1, bytes.end());
        return message;
    case RDR_to_PC::HardwareError:
        requireSize(bytes, hardwareErrorSize, "HardwareError");
        message.bSlot = bytes[1];
        message.bSeq = bytes[2];
        message.bHardwareErrorCode = bytes[3];
        return message;
    default:
        malformed("unknown interrupt message type " + std::to_string(bytes[0]));
    }
}

} // namespace kamusm::ccid
