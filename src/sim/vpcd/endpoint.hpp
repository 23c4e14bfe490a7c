// The card side of vsmartcard's vpcd protocol (the virtual reader driver of pcsc-lite): each
// message is a 2-byte big-endian length and a payload; a 1-byte payload is a control command
// (power off, power on, reset, get ATR), any longer one an APDU. The endpoint answers them
// from a sim::VirtualCard; the socket around it is link.hpp's.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/sim/card.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace kamusm::sim::vpcd {

inline constexpr std::uint16_t defaultPort = 35963; // vpcd's first reader (0x8C7B)

enum class Control : std::uint8_t { PowerOff = 0x00, PowerOn = 0x01, Reset = 0x02, GetAtr = 0x04 };

// A message that is not vpcd's protocol (empty, an unknown control byte, too long a reply).
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// 2-byte big-endian length + payload.
Bytes frame(ByteView payload);

// What the card does with each message, and what it has seen (for the rig's reports).
class Endpoint {
public:
    // `pullAtApdu`: the card is pulled out, once, when that APDU (1-based, counted from the
    // insertion) arrives, instead of answering it: a removal in the middle of an operation.
    explicit Endpoint(std::shared_ptr<VirtualCard> card, std::optional<int> pullAtApdu = {});

    // The reply to send back, if the message has one (GET ATR and APDUs do); throws
    // ProtocolError on a message outside the protocol.
    std::optional<Bytes> handle(ByteView payload);
    // The card went into the reader: powered up afresh, nothing of the last session left.
    void inserted();
    // True once the APDU to pull the card at has come; the caller drops the connection.
    bool pullRequested() const { return pullRequested_; }

    int apdusSeen() const { return apdusSeen_; }
    int pukCommandsSeen() const { return card_->pukCommandsSeen(); }
    // "power on", "APDU 00 20 00 81 (6 data bytes)": what a log may show; never the data.
    const std::string& lastEvent() const { return lastEvent_; }

private:
    std::optional<Bytes> control(std::uint8_t command);
    std::optional<Bytes> apdu(ByteView command);

    std::shared_ptr<VirtualCard> card_;
    std::optional<int> pullAtApdu_;
    int apdusSinceInsertion_ = 0;
    int apdusSeen_ = 0;
    bool pullRequested_ = false;
    std::string lastEvent_;
};

} // namespace kamusm::sim::vpcd
