// demoCard(): the demo card in each PIN state an operation starts from.
#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace kamusm;
using namespace kamusm::sim;

TEST_CASE("demoCard starts in the PIN state asked for") {
    CHECK(demoCard(demoCardSetup(), DemoPinState::NotSet)->pinState() == PinState::NotSet);
    const auto set = demoCard(demoCardSetup(), DemoPinState::Set);
    CHECK(set->pinState() == PinState::Set);
    CHECK(set->pinTriesLeft() == 3);
    const auto blocked = demoCard(demoCardSetup(CardProtocol::T0), DemoPinState::Blocked);
    CHECK(blocked->pinState() == PinState::Blocked);
    CHECK(blocked->pinTriesLeft() == 0);
    CHECK(blocked->pukCommandsSeen() == 0);
}

TEST_CASE("demoCard blocks a card whose PIN is the usual wrong guess") {
    CardSetup setup = demoCardSetup();
    setup.pin = "000000";
    CHECK(demoCard(setup, DemoPinState::Blocked)->pinState() == PinState::Blocked);
}
