// What the desktop helper refuses to carry to a card, whichever page asks: nothing may reach the
// PUK through it (card-profile.md: three wrong PUKs terminate an AKIS card), and nothing may hide
// a command from this check (ENVELOPE, the reader's own pseudo-APDUs, which can wrap any card
// command).
#pragma once

#include "kamusm/base/bytes.hpp"

#include <optional>
#include <string_view>

namespace kamusm::helper {

enum class Refusal {
    NotAnApdu,     // fewer than the four header bytes
    UsesPuk,       // RESET RETRY COUNTER with the PUK, or VERIFY / CHANGE / RESET on reference 82
    Envelope,      // ENVELOPE: another command inside
    ReaderCommand, // CLA FF: a pseudo-APDU for the reader (escape, direct transmit)
};

struct Refused {
    Refusal reason;
    std::string_view what; // for the error message, e.g. "RESET RETRY COUNTER with the PUK"
};

// Why `command` must not go to the card, or nullopt when it may.
std::optional<Refused> refusalFor(ByteView command);

} // namespace kamusm::helper
