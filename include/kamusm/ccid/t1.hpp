// The host side of the T=1 block protocol (ISO/IEC 7816-3 §11): I/R/S blocks, IFSD negotiation,
// chaining both ways, LRC or CRC, R-block error recovery, RESYNCH, WTX and NAD.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace kamusm::ccid {

// Carries one T=1 block to the card and returns the card's block (CCID XfrBlock at TPDU level).
// A timeout multiplier > 1 is asked for after the card requested a waiting-time extension.
class BlockTransport {
public:
    virtual ~BlockTransport() = default;
    virtual Task<Bytes> exchangeBlock(ByteView block, std::uint8_t bwiMultiplier) = 0;
};

namespace t1 {

enum class Edc { Lrc, Crc };

// Block framing: prologue (NAD, PCB, LEN), information field, epilogue (LRC or CRC).
std::uint8_t lrc(ByteView bytes);
// The CRC of ISO/IEC 13239 as T=1 hosts compute it (libccid, most readers): generator
// x^16 + x^12 + x^5 + 1 fed least significant bit first (reflected 0x8408), initial value FFFF,
// no final complement; the epilogue carries the high byte first. "123456789" gives 0x6F91.
std::uint16_t crc(ByteView bytes);
// Throws ccid::Error{ProtocolError} for an information field over 254 bytes.
Bytes frame(std::uint8_t nad, std::uint8_t pcb, ByteView information, Edc edc);

enum class BlockType { I, R, S };
struct Block {
    std::uint8_t nad = 0, pcb = 0;
    Bytes information;
    BlockType type() const;
    // I-block
    int sequence() const; // N(S) for I, N(R) for R
    bool more() const;    // I-block M bit
    // R-block error bits: 0 ok, 1 EDC/parity error, 2 other error
    int rError() const;
    // S-block
    bool response() const;
    std::uint8_t sType() const; // 0 RESYNCH, 1 IFS, 2 ABORT, 3 WTX
};
// Throws ccid::Error{ProtocolError} only for blocks that cannot be framed at all; EDC errors
// are reported by returning nullopt so the engine can send an R-block.
std::optional<Block> parse(ByteView bytes, Edc edc);

struct Parameters {
    std::uint8_t nad = 0x00;
    int ifsc = 32; // the card's receive size
    int ifsd = 32; // ours, negotiated by S(IFS request) after power-on
    Edc edc = Edc::Lrc;
};

class Protocol {
public:
    Protocol(BlockTransport& transport, Parameters parameters);

    // Sends S(IFS request) for `ifsd` (up to the reader's dwMaxIFSD, at most 254).
    Task<void> negotiateIfsd(int ifsd);
    // An APDU in, the card's response APDU out; chaining and recovery as §11.6. After three
    // failed attempts it sends S(RESYNCH request) and throws ccid::Error{ProtocolError} without
    // repeating the APDU (the card may have run it). A reader's ccid::Error{ParityError} counts
    // as an EDC error; other transport errors pass through. After any error the next call (or
    // negotiateIfsd) starts with RESYNCH.
    Task<Bytes> transceive(ByteView apdu);
    // S(RESYNCH request): both sides back to N(S)=0.
    Task<void> resynch();

    const Parameters& parameters() const { return parameters_; }

private:
    // A block from the card, or (when it is invalid) the R-block error bits that answer it.
    struct Received {
        std::optional<Block> block;
        std::uint8_t errorBits = 0;
    };
    Task<Received> exchange(ByteView block, std::uint8_t bwiMultiplier);
    Received check(ByteView bytes) const;
    Bytes block(std::uint8_t pcb, ByteView information = {}) const;
    Task<Block> requestS(std::uint8_t sType, Bytes information);
    Task<Bytes> exchangeApdu(ByteView apdu);

    BlockTransport& transport_;
    Parameters parameters_;
    int initialIfsc_;          // from the ATR: what RESYNCH may bring the card back to
    int sendSequence_ = 0;     // N(S) of our next I-block
    int receiveSequence_ = 0;  // N(S) expected in the card's next I-block
    bool needResynch_ = false; // an exchange broke off: the two sides' sequences may differ
};

} // namespace t1
} // namespace kamusm::ccid
