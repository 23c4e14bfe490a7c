// The CARD side of the T=1 block protocol (ISO/IEC 7816-3 §11), written independently of the
// host engine in ccid/t1 so that each checks the other. One block from the host in, exactly one
// block from the card out:
// - framing NAD PCB LEN INF EDC, EDC by LRC (what the AKIS ATR announces) or CRC;
// - IFSC 254 (what the card accepts), IFSD 32 until the host's S(IFS request) changes it;
// - host chaining: each I-block with M=1 is answered by R(N(R)); the last one runs the APDU;
// - card chaining: responses longer than IFSD go out as I-blocks with M=1, each sent once the
//   host's R-block acknowledges the previous one;
// - errors: a block with a wrong EDC is answered by an R-block with error 1, any other invalid
//   block (bad PCB, LEN, wrong N(S), unexpected S-block) by an R-block with error 2; an R-block
//   whose N(R) is the N(S) of the card's last I-block makes the card send that block again;
// - S(RESYNCH), S(IFS), S(ABORT) requests are answered; S(WTX request) can be asked for.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/sim/card.hpp"

#include <cstdint>

namespace kamusm::sim {

enum class T1Edc { Lrc, Crc };

class T1Card {
public:
    static constexpr int ifsc = 254;
    static constexpr int defaultIfsd = 32;

    explicit T1Card(VirtualCard& card, T1Edc edc = T1Edc::Lrc);

    // The host's block in, the card's answer out (always one block).
    Bytes receive(ByteView blockFromHost);
    // After power-on or a warm reset: N(S) 0 on both sides, IFSD 32, no chain in progress.
    void reset();

    // The next `commands` APDUs are answered by S(WTX request, multiplier) first; the response
    // follows the host's S(WTX response).
    void requestWtx(int commands, std::uint8_t multiplier = 1);
    // Fault injection: the next `blocks` blocks the card sends carry a wrong EDC.
    void corruptNextBlocks(int blocks) { corruptBlocks_ = blocks; }

    int ifsd() const { return ifsd_; }
    T1Edc edc() const { return edc_; }

    // Epilogue helpers (§11.4.4): LRC = XOR of all bytes; CRC = the ISO/IEC 13239 16-bit CRC
    // (polynomial x^16+x^12+x^5+1, bit-reflected, initial value FFFF, no final XOR), whose high
    // byte is sent first.
    static std::uint8_t lrc(ByteView bytes);
    static std::uint16_t crc(ByteView bytes);
    // NAD PCB LEN INF EDC.
    static Bytes frame(std::uint8_t nad, std::uint8_t pcb, ByteView information, T1Edc edc);

private:
    enum class Sent { Nothing, Information, Receipt, Supervisory };

    Bytes onInformation(std::uint8_t pcb, ByteView information);
    Bytes onReceipt(std::uint8_t pcb);
    Bytes onSupervisory(std::uint8_t pcb, ByteView information);
    Bytes sendChunk();        // the next I-block of the pending response
    Bytes receipt(int error); // R(N(R) = next N(S) expected from the host)
    Bytes send(std::uint8_t pcb, ByteView information, Sent kind);
    Bytes resend(Bytes block, Sent kind);
    Bytes transmit(const Bytes& block); // applies EDC corruption to a copy

    VirtualCard& card_;
    T1Edc edc_;
    int ifsd_ = defaultIfsd;
    std::uint8_t nad_ = 0;  // NAD of the card's blocks: the host's with SAD and DAD swapped
    int cardSequence_ = 0;  // N(S) of the card's next I-block
    int hostSequence_ = 0;  // N(S) expected in the host's next I-block
    Bytes command_;         // the host's chained APDU so far
    Bytes response_;        // response bytes not sent yet
    Bytes lastInformation_; // the card's last I-block, until the host acknowledges it
    Bytes lastBlock_;       // the card's last block of any kind
    Sent lastSent_ = Sent::Nothing;
    int wtxCommands_ = 0;
    std::uint8_t wtxMultiplier_ = 1;
    bool awaitingWtxResponse_ = false;
    int corruptBlocks_ = 0;
};

} // namespace kamusm::sim
