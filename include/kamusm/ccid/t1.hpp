// The host side of the T=1 block protocol (ISO/IEC 7816-3 §11): I/R/S blocks, IFSD negotiation,
// chaining both ways, LRC or CRC, R-block error recovery, RESYNCH, WTX and NAD.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"

#include <chrono>
#include <cstdint>

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
std::uint16_t crc(ByteView bytes); // ISO/IEC 13239 (as ISO 7816-3 §11.4.4)
Bytes frame(std::uint8_t nad, std::uint8_t pcb, ByteView information, Edc edc);

enum class BlockType { I, R, S };
struct Block {
    std::uint8_t nad = 0, pcb = 0;
    Bytes information;
    BlockType type() const;
    // I-block
    int sequence() const;     // N(S) for I, N(R) for R
    bool more() const;        // I-block M bit
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
    int ifsc = 32;     // the card's receive size
    int ifsd = 32;     // ours, negotiated by S(IFS request) after power-on
    Edc edc = Edc::Lrc;
};

class Protocol {
public:
    Protocol(BlockTransport& transport, Parameters parameters);

    // Sends S(IFS request) for `ifsd` (up to the reader's dwMaxIFSD, at most 254).
    Task<void> negotiateIfsd(int ifsd);
    // An APDU in, the card's response APDU out; chaining and recovery as §11.6.
    Task<Bytes> transceive(ByteView apdu);
    // S(RESYNCH request): both sides back to N(S)=0.
    Task<void> resynch();

    const Parameters& parameters() const { return parameters_; }

private:
    // implementation state: N(S) of the next I-block to send, expected N(S) from the card.
    BlockTransport& transport_;
    Parameters parameters_;
    int sendSequence_ = 0;
    int receiveSequence_ = 0;
};

} // namespace t1
} // namespace kamusm::ccid
