// The card side of the vpcd protocol: framing, the control bytes, APDUs answered by the virtual
// card, bad messages refused, and the card pulled out at a chosen APDU.
#include "../src/sim/vpcd/endpoint.hpp"

#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::sim::vpcd;

namespace {

std::shared_ptr<sim::VirtualCard> demoCard() {
    return std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
}

Bytes send(Endpoint& endpoint, const char* hex) {
    return endpoint.handle(fromHex(hex)).value();
}

} // namespace

TEST_CASE("messages are framed with a 2-byte big-endian length") {
    CHECK(toHex(frame(fromHex("9000"))) == "00029000");
    CHECK(frame(Bytes(300, 0x55)).size() == 302);
    CHECK(frame(Bytes(300, 0x55))[0] == 0x01);
    CHECK(frame(Bytes(300, 0x55))[1] == 0x2C);
    CHECK_THROWS_AS(frame(Bytes(65536)), ProtocolError);
}

TEST_CASE("control bytes: power and reset have no reply, GET ATR answers the ATR") {
    auto card = demoCard();
    Endpoint endpoint(card);
    CHECK(send(endpoint, "04") == card->atr());
    for (const char* control : {"00", "01", "02"})
        CHECK_FALSE(endpoint.handle(fromHex(control)).has_value());
    CHECK(endpoint.apdusSeen() == 0);
}

TEST_CASE("APDUs are answered by the card; a power cycle ends the verified PIN") {
    auto card = demoCard();
    Endpoint endpoint(card);
    const Bytes serial = send(endpoint, "00CA01064D");
    CHECK(serial.size() == 79);
    CHECK(toHex(ByteView(serial).last(2)) == "9000");
    CHECK(toHex(send(endpoint, "0020008106313233343536")) == "9000");
    CHECK(card->pinVerified());
    // The log line never shows a PIN, only how many data bytes there were.
    CHECK(endpoint.lastEvent() == "APDU 00 20 00 81 (6 data bytes)");
    endpoint.handle(fromHex("00"));
    CHECK_FALSE(card->pinVerified());
    CHECK(endpoint.apdusSeen() == 2);
    CHECK(endpoint.pukCommandsSeen() == 0);
}

TEST_CASE("messages outside the protocol are refused with a reason") {
    Endpoint endpoint(demoCard());
    CHECK_THROWS_WITH_AS(endpoint.handle({}), "an empty vpcd message", ProtocolError);
    CHECK_THROWS_WITH_AS(endpoint.handle(fromHex("07")), "unknown vpcd control byte 07",
                         ProtocolError);
    // A malformed APDU is the card's business: it answers 6700.
    CHECK(toHex(send(endpoint, "00A4")) == "6700");
}

TEST_CASE("the card is pulled out once, at the chosen APDU after its insertion") {
    Endpoint endpoint(demoCard(), 2);
    CHECK(endpoint.handle(fromHex("00CA01064D")).has_value());
    CHECK_FALSE(endpoint.handle(fromHex("00CA01064D")).has_value());
    CHECK(endpoint.pullRequested());
    endpoint.inserted();
    CHECK_FALSE(endpoint.pullRequested());
    for (int i = 0; i < 3; ++i)
        CHECK(endpoint.handle(fromHex("00CA01064D")).has_value());
    CHECK_FALSE(endpoint.pullRequested());
}
