// Internal to the ccid layer: what Reader::connect hands to the card sessions, and the helpers
// reader.cpp, power.cpp and session.cpp share.
#pragma once

#include "kamusm/ccid/reader.hpp"

#include <string>

namespace kamusm::ccid::detail {

// libccid's DEFAULT_COM_READ_TIMEOUT, for reader commands that involve no card exchange.
inline constexpr usb::Milliseconds readerTimeout{3000};

// The negotiated state of a powered card.
struct SessionSetup {
    std::uint8_t slot = 0;
    iso7816::Atr atr;
    int protocol = 1;
    std::uint8_t fidi = 0x11;
    int ifsd = 32;                // T=1: the IFSD to announce (TPDU) or the reader's (APDU)
    usb::Milliseconds timeout{0}; // one card exchange at the negotiated rate
};

// The session for the reader's exchange level; at TPDU level with T=1 and no automatic IFSD it
// negotiates IFSD first. The session keeps a reference to `reader`, which must outlive it.
Task<std::unique_ptr<CardSession>> makeSession(Reader& reader, SessionSetup setup);

// bmCommandStatus 1 as a typed error (CardAbsent when bmICCStatus says no card).
void throwIfFailed(const Message& reply);

std::string hex8(std::uint8_t value);

} // namespace kamusm::ccid::detail
