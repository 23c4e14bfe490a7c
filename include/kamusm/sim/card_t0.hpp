// The CARD side of T=0 (ISO/IEC 7816-3 §10) at character level, in front of a VirtualCard.
//
// A command starts with the 5-byte header CLA INS P1 P2 P3; the card answers procedure bytes:
//   ACK (= INS)  the card is ready for all remaining data bytes, or sends its data next;
//   NULL (60)    "wait": nothing else happens (only when asked for, see sendNullBytes);
//   SW1 SW2      the command is over.
// The card knows from INS which way data flows (see the table in card_t0.cpp):
//   incoming, P3 > 0 (case 3/4: SELECT, VERIFY, CHANGE, RESET RETRY COUNTER, EXTERNAL AUTH,
//     MSE, PSO): onHeader answers ACK; then onData takes the P3 data bytes and answers SW1 SW2:
//     61xx when the command has response data (xx bytes, 00 = 256) to fetch by GET RESPONSE;
//   incoming, P3 = 0 (case 1, e.g. the PIN status 00 20 00 81 00): onHeader answers SW1 SW2;
//   outgoing (case 2: READ BINARY, GET DATA, GET CHALLENGE; P3 = Le, 00 = 256):
//     6Cxx when P3 differs from the xx bytes the card has; 61xx when it matches (the profile's
//     "case 2/4 responses come back as 61xx + GET RESPONSE"), or, after setDirectCase2(true),
//     ACK + the data + SW1 SW2 at once;
//   GET RESPONSE 00 C0 00 00 P3: ACK + P3 bytes + 9000 (or 61xx while more is left, or the
//     command's own warning); 6Cxx when P3 is more than is left; 6985 with nothing to get.
//   An unknown INS or CLA is answered at once by SW1 SW2 (6D00 / 6E00), without ACK.
// Any command other than GET RESPONSE discards a response not yet fetched.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/sim/card.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace kamusm::sim {

class T0Card {
public:
    explicit T0Card(VirtualCard& card) : card_(card) {}

    // Header in; the card's characters up to where it waits for data (ends with ACK, see
    // awaitingData()) or the end of the command (ends with SW1 SW2).
    // Throws std::invalid_argument when the header is not 5 bytes.
    Bytes onHeader(ByteView header);
    // The P3 data bytes after an ACK; the card's remaining characters (ending with SW1 SW2).
    // Throws std::logic_error when no ACK asked for data or the size is not P3.
    Bytes onData(ByteView data);
    bool awaitingData() const { return pendingHeader_.has_value(); }

    // The card's next answer (to a header or to data) starts with `count` NULL bytes (60).
    void sendNullBytes(int count) { nullBytes_ = count; }
    // Case 2 answers ACK + data + SW1 SW2 instead of 61xx + GET RESPONSE.
    void setDirectCase2(bool direct) { directCase2_ = direct; }
    // After power-on or reset: no command in progress, nothing to GET RESPONSE.
    void reset();

private:
    Bytes answer(Bytes characters);               // prefixes the NULL bytes asked for
    Bytes finish(iso7816::ResponseApdu response); // 61xx + keeps the data, or SW1 SW2
    Bytes outgoing(const iso7816::CommandApdu& command);
    Bytes getResponse(const std::array<std::uint8_t, 5>& header);

    VirtualCard& card_;
    std::optional<std::array<std::uint8_t, 5>> pendingHeader_; // ACKed, waiting for data
    Bytes responseData_;                             // what GET RESPONSE still has to send
    std::uint8_t finalSw1_ = 0x90, finalSw2_ = 0x00; // the command's own status word
    int nullBytes_ = 0;
    bool directCase2_ = false;
};

} // namespace kamusm::sim
