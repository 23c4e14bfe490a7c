#include "kamusm/ccid/error.hpp"

#include <array>

namespace kamusm::ccid {

namespace {

// The slot error register (CCID Rev 1.1 §6.2.6, table 6.2-2). Values 1..127 name the offset of
// the rejected field in the command and are not listed here.
struct BErrorRow {
    std::uint8_t bError;
    ErrorCode code;
    const char* text;
};

constexpr std::array<BErrorRow, 16> bErrorTable{{
    {0xFF, ErrorCode::CommandAborted, "CMD_ABORTED: the command was aborted"},
    {0xFE, ErrorCode::CardMute, "ICC_MUTE: the card does not answer"},
    {0xFD, ErrorCode::ParityError, "XFR_PARITY_ERROR: parity error on the card line"},
    {0xFC, ErrorCode::Overrun, "XFR_OVERRUN: the card sent more than the reader could hold"},
    {0xFB, ErrorCode::HardwareError, "HW_ERROR: the reader detected a hardware error"},
    {0xF8, ErrorCode::BadAtr, "BAD_ATR_TS: the card's ATR has a bad TS"},
    {0xF7, ErrorCode::BadAtr, "BAD_ATR_TCK: the card's ATR has a bad TCK"},
    {0xF6, ErrorCode::ProtocolNotSupported, "ICC_PROTOCOL_NOT_SUPPORTED"},
    {0xF5, ErrorCode::ClassNotSupported, "ICC_CLASS_NOT_SUPPORTED: no voltage suits the card"},
    {0xF4, ErrorCode::ProcedureByteConflict, "PROCEDURE_BYTE_CONFLICT"},
    {0xF3, ErrorCode::DeactivatedProtocol, "DEACTIVATED_PROTOCOL"},
    {0xF2, ErrorCode::Busy, "BUSY_WITH_AUTO_SEQUENCE: the reader is busy powering the card"},
    {0xF0, ErrorCode::PinTimeout, "PIN_TIMEOUT: no PIN entered on the reader's keypad in time"},
    {0xEF, ErrorCode::PinCancelled, "PIN_CANCELLED: PIN entry cancelled on the reader"},
    {0xE0, ErrorCode::Busy, "CMD_SLOT_BUSY: the slot is busy with another command"},
    {0x00, ErrorCode::CommandNotSupported,
     "CMD_NOT_SUPPORTED: the reader does not know the command"},
}};

const BErrorRow* find(std::uint8_t bError) {
    for (const BErrorRow& row : bErrorTable)
        if (row.bError == bError) return &row;
    return nullptr;
}

} // namespace

ErrorCode errorCodeForBError(std::uint8_t bError) {
    const BErrorRow* row = find(bError);
    return row ? row->code : ErrorCode::BadParameter;
}

const char* describeBError(std::uint8_t bError) {
    const BErrorRow* row = find(bError);
    return row ? row->text : "the reader rejected a command field (bError names its offset)";
}

} // namespace kamusm::ccid
