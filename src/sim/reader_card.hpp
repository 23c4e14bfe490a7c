// The virtual reader's link to a powered card: PPS, T=1 blocks and T=0 TPDUs at TPDU level, and
// whole APDUs at APDU level (the reader then runs T=1 or T=0 to the card itself). Each exchange
// reports how many characters crossed the card line, for the wire-time model.
#pragma once

#include "kamusm/iso7816/atr.hpp"
#include "kamusm/sim/card.hpp"
#include "kamusm/sim/reader.hpp"

#include <memory>
#include <optional>

namespace kamusm::sim {

// The card sent nothing back: the reader reports ICC_MUTE.
struct CardSilent {};

struct CardExchange {
    Bytes reply;
    std::size_t lineCharacters = 0; // both directions
};

class CardLink {
public:
    virtual ~CardLink() = default;
    // A PPS request: the card's response, or nullopt when it stays silent.
    virtual std::optional<Bytes> pps(ByteView request) = 0;
    // TPDU level. Throw CardSilent when the card does not answer.
    virtual CardExchange block(ByteView block) = 0; // T=1
    virtual CardExchange tpdu(ByteView tpdu) = 0;   // T=0: header and data, procedure bytes
    // APDU level: the reader's own start (T=1: S(IFS request) for `ifsd`); characters sent.
    virtual std::size_t startAtApduLevel(int ifsd) = 0;
    // One short APDU; at T=0 the reader maps it to TPDUs (ISO/IEC 7816-3 §12.2), re-sending on
    // 6Cxx and fetching 61xx with GET RESPONSE in `classGetResponse` (0xFF: the command's CLA).
    virtual CardExchange apdu(ByteView command, std::uint8_t classGetResponse) = 0;
};

std::unique_ptr<CardLink> makeCardLink(VirtualCard& card, const iso7816::Atr& atr, Faults& faults);

} // namespace kamusm::sim
