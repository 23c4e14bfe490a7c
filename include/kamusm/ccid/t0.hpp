// The host side of T=0 for TPDU-level readers (ISO/IEC 7816-3 §10.3 and §12.2): command APDUs
// mapped to T=0 TPDUs, and the character-level procedure-byte exchange that carries a TPDU.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/iso7816/apdu.hpp"

#include <cstdint>

namespace kamusm::ccid::t0 {

// CLA INS P1 P2 P3 [data] (§12.2.2): case 1 P3=00; case 2S P3=Le (256 as 00); case 3S P3=Lc and
// the data; case 4S as case 3S, the card then answers 61xx for GET RESPONSE. Extended APDUs
// throw ccid::Error{Unsupported} (they would need ENVELOPE).
Bytes tpduFor(const iso7816::CommandApdu& command);

// The card's I/O line seen one character at a time (synchronous: a simulated card, or a reader
// that works at character level).
class CharacterLine {
public:
    virtual ~CharacterLine() = default;
    virtual std::uint8_t receiveByte() = 0;
    virtual void sendBytes(ByteView bytes) = 0;
};

// The interface device's side of procedure bytes (§10.3.3): after the header, INS sends (or
// receives) all remaining data, INS ^ FF one byte, 60 is a NULL that extends the wait, and 6X/9X
// (X not 0 for 6) is SW1 followed by SW2. Any other byte throws
// ccid::Error{ProcedureByteConflict}; more than `maxNullBytes` NULLs in a row throw
// ccid::Error{Timeout}.
class ProcedureEngine {
public:
    static constexpr int maxNullBytes = 1000;

    explicit ProcedureEngine(CharacterLine& line) : line_(line) {}

    // A TPDU with data (P3 = its length) sends data; one of 5 bytes receives up to P3 bytes
    // (00 = 256). Returns the received data followed by SW1 SW2.
    Bytes transmit(ByteView tpdu);

private:
    CharacterLine& line_;
};

} // namespace kamusm::ccid::t0
