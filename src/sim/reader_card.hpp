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

// bError values (CCID §6.2.6) and the header offsets reported for rejected fields.
namespace SlotError {
inline constexpr std::uint8_t CMD_ABORTED = 0xFF;
inline constexpr std::uint8_t ICC_MUTE = 0xFE;
inline constexpr std::uint8_t XFR_PARITY_ERROR = 0xFD;
inline constexpr std::uint8_t HW_ERROR = 0xFB;
inline constexpr std::uint8_t ICC_CLASS_NOT_SUPPORTED = 0xF5;
inline constexpr std::uint8_t PROCEDURE_BYTE_CONFLICT = 0xF4;
inline constexpr std::uint8_t CMD_NOT_SUPPORTED = 0x00;
inline constexpr std::uint8_t dwLengthOffset = 1;
inline constexpr std::uint8_t bSlotOffset = 5;
inline constexpr std::uint8_t bPowerSelectOffset = 7;
inline constexpr std::uint8_t bProtocolNumOffset = 7;
inline constexpr std::uint8_t wLevelParameterOffset = 8;
inline constexpr std::uint8_t abDataOffset = 10; // bmFindexDindex, dwClockFrequency
} // namespace SlotError

// The exchange with the card failed; the reader reports `bError` (ICC_MUTE: the card sent
// nothing back).
struct CardFailure {
    std::uint8_t bError = SlotError::ICC_MUTE;
};

struct CardExchange {
    Bytes reply;
    std::size_t lineCharacters = 0; // both directions
    // At APDU level and for T=0 the reader itself sees the card ask for more time (S(WTX) or a
    // NULL byte) and tells the host with a time-extension frame: the BWT multiplier, 0 = none.
    std::uint8_t timeExtension = 0;
};

class CardLink {
public:
    virtual ~CardLink() = default;
    // A PPS request: the card's response, or nullopt when it stays silent.
    virtual std::optional<Bytes> pps(ByteView request) = 0;
    // TPDU level. Throw CardFailure when the card does not answer.
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
