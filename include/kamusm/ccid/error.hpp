#pragma once

#include "kamusm/base/error.hpp"

#include <cstdint>
#include <optional>

namespace kamusm::ccid {

enum class ErrorCode {
    NotCcid,          // no CCID interface, or its class descriptor is malformed
    MalformedMessage, // a reply that is not a CCID message (short, wrong length, wrong type)
    Timeout,          // no reply within the time derived from the ATR/descriptor
    CardAbsent,       // bmICCStatus 2: no card in the slot
    CardMute,         // bError 0xFE ICC_MUTE
    ParityError,      // bError 0xFD XFR_PARITY_ERROR
    Overrun,          // bError 0xFC XFR_OVERRUN
    HardwareError,    // bError 0xFB HW_ERROR, or an interrupt HardwareError
    BadAtr,           // bError 0xF8 / 0xF7 BAD_ATR_TS / BAD_ATR_TCK, or an ATR that fails to parse
    ProtocolNotSupported,  // bError 0xF6, or no protocol that both card and reader have
    ClassNotSupported,     // bError 0xF5: no voltage suits the card
    ProcedureByteConflict, // bError 0xF4
    DeactivatedProtocol,   // bError 0xF3
    Busy,                  // bError 0xF2 / 0xE0
    PinTimeout,            // bError 0xF0
    PinCancelled,          // bError 0xEF
    CommandAborted,        // bError 0xFF
    CommandNotSupported,   // bError 0x00
    BadParameter,          // bError 0x01..0x7F: offset of the rejected field
    ProtocolError,         // T=1/T=0 failure after every recovery the protocol allows
    Unsupported,           // something this stack does not do (e.g. character level with T=1)
};

inline constexpr char layerName[] = "ccid";
class Error : public LayerError<ErrorCode, layerName> {
public:
    Error(ErrorCode code, const std::string& detail, std::optional<std::uint8_t> bError = {})
        : LayerError(code, detail), bError_(bError) {}
    std::optional<std::uint8_t> bError() const { return bError_; }

private:
    std::optional<std::uint8_t> bError_;
};

// The bError table (CCID §6.2.6): slot error register value to a typed code.
ErrorCode errorCodeForBError(std::uint8_t bError);
const char* describeBError(std::uint8_t bError);

} // namespace kamusm::ccid
