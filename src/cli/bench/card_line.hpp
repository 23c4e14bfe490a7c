// The physical limit of the card line for a flow: the characters that must cross it, and the time
// they take at the rate the reader and card negotiated.
//
// "Must cross" means:
// - the card's ATR, and the PPS request and answer (4 characters each way) when the rate
//   negotiated is not the default one (TA1 11), both at the default rate;
// - for T=1 with an IFSD above the default 32, the S(IFS request) and S(IFS response) that announce
//   it (5 characters each with LRC);
// - each APDU the flow requires (requiredApdus below: the card profile's commands, the
//   certificate in the fewest short READ BINARYs its DER length allows, i.e. 256 bytes each),
//   with its minimal framing:
//   T=1: the APDU in I-blocks of at most IFSC bytes (command) or IFSD bytes (response), 3 bytes
//        of prologue and the LRC/CRC each, and one R-block acknowledging each block of a chain
//        but the last;
//   T=0: the 5-byte header, one ACK procedure byte before outgoing data, and, because the card
//        profile answers every case 2 and case 4 command with 61xx, that status word and the
//        GET RESPONSE (header, ACK, data, status word) that fetches the data.
// Nothing else is required: no GET RESPONSE beyond those, no 6Cxx re-send, no re-select, no
// second power-on (the card is left by powering it off, which crosses no character), no WTX.
#pragma once

#include "kamusm/iso7816/atr.hpp"
#include "kamusm/sim/card.hpp"

#include <cstdint>
#include <vector>

namespace kamusm::cli::bench {

// One required APDU by its sizes: command data (Lc) and expected response data (Le), short.
struct ApduShape {
    const char* name;
    std::size_t commandData = 0;
    std::size_t responseData = 0;
    bool hasLe = false;
};

// The APDUs an unblock (or create: the same commands) requires of the card, in order: reading
// the card for the Card step (serial, certificate of `certificateSize` bytes, PIN state), the
// authorization and the new PIN of `pinLength` digits, its check by VERIFY, and the signature
// self-test (MSE SET and PSO COMPUTE DIGITAL SIGNATURE with an RSA key of `signatureSize` bytes).
std::vector<ApduShape> requiredUnblockApdus(std::size_t certificateSize, std::size_t pinLength,
                                            std::size_t signatureSize);

struct LineParameters {
    iso7816::Atr atr;
    sim::CardProtocol protocol = sim::CardProtocol::T1;
    std::uint8_t fidi = 0x11;   // negotiated
    double clockHz = 4'000'000; // the reader's card clock
    int ifsd = 32;              // T=1: the reader's largest IFSD
};

struct LineLimit {
    std::size_t characters = 0;
    double seconds = 0;
};

LineLimit physicalLimit(const std::vector<ApduShape>& apdus, const LineParameters& line);

} // namespace kamusm::cli::bench
