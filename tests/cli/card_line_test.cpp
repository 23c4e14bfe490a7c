// The physical limit `pinctl bench` holds the card line to (src/cli/bench/card_line.hpp), worked
// out by hand for one READ BINARY of 256 bytes.
#include "cli/bench/card_line.hpp"

#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::cli::bench;

namespace {

LineParameters akisLine(sim::CardProtocol protocol) {
    LineParameters line;
    line.atr = iso7816::parseAtr(sim::VirtualCard(sim::demoCardSetup(protocol)).atr());
    line.protocol = protocol;
    line.fidi = 0x96; // Fi 512, Di 32
    line.clockHz = 4'000'000;
    line.ifsd = 254;
    return line;
}

} // namespace

TEST_CASE("the card line's limit: ATR and PPS at the default rate, minimal framing after") {
    const std::vector<ApduShape> readBinary{{"READ BINARY", 0, 256, true}};

    const LineParameters t1 = akisLine(sim::CardProtocol::T1);
    REQUIRE(t1.atr.raw.size() == 23);
    const LineLimit limitT1 = physicalLimit(readBinary, t1);
    // 23 ATR + 8 PPS; S(IFS) 5 + 5; command 5 + 4 in one I-block; response 258 in two I-blocks
    // of at most 254 (2 x 4) with one R-block (4).
    CHECK(limitT1.characters == 31 + 10 + 9 + 258 + 8 + 4);
    // 12 etu a character: 372 / 4 MHz at the default rate, 512 / (32 x 4 MHz) after.
    CHECK(limitT1.seconds == doctest::Approx(31 * 12 * 372 / 4e6 + 289 * 12 * 4e-6));

    const LineParameters t0 = akisLine(sim::CardProtocol::T0);
    const LineLimit limitT0 = physicalLimit(readBinary, t0);
    // Header and 61 00, then GET RESPONSE: header, ACK, 256 bytes, 90 00.
    CHECK(limitT0.characters == t0.atr.raw.size() + 8 + 5 + 2 + 5 + 1 + 256 + 2);

    // At the default rate there is no PPS.
    LineParameters slow = t1;
    slow.fidi = 0x11;
    CHECK(physicalLimit(readBinary, slow).characters == limitT1.characters - 8);
}

TEST_CASE("the unblock flow requires the fewest short READ BINARYs of its certificate") {
    const std::vector<ApduShape> apdus = requiredUnblockApdus(2091, 8, 256);
    std::size_t reads = 0, lastRead = 0;
    for (const ApduShape& apdu : apdus)
        if (std::string_view(apdu.name) == "READ BINARY") {
            ++reads;
            lastRead = apdu.responseData;
        }
    CHECK(reads == 9);
    CHECK(lastRead == 2091 - 8 * 256);
    CHECK(apdus.size() == 3 + 9 + 7);
}
