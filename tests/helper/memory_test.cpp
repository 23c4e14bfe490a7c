// No PIN left in the helper's memory: the PIN commands of a page (CHANGE, VERIFY right and
// wrong) go through the host to the card, then the test process, which runs the host, scans its
// own memory with the memory-scan hook for them (ASCII, BCD, UTF-16).
#include "helper/host_rig.hpp"

#include "kamusm/base/memory_scan.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::testing;

namespace {

constexpr unsigned char mask = 0x3C;

// Twelve digits each, made at run time and kept masked, so that no copy of the test's own stays.
std::vector<unsigned char> maskedPin(int seed) {
    std::vector<unsigned char> pin;
    for (int i = 0; i < 12; ++i)
        pin.push_back(static_cast<unsigned char>(('0' + (seed * 7 + i * 3 + i * i) % 10) ^ mask));
    return pin;
}

void appendPin(Bytes& command, const std::vector<unsigned char>& masked) {
    for (unsigned char byte : masked)
        command.push_back(byte ^ mask);
}

// Sends `command` through the host and wipes the test's copy.
void send(HostRig& rig, std::uint32_t connection, Bytes command) {
    rig.transmit(connection, command);
    wipe(command);
}

} // namespace

TEST_CASE("the host keeps no PIN once the page's PIN commands are answered") {
    HostRig rig;
    const std::vector<unsigned char> newPin = maskedPin(1), wrongPin = maskedPin(2);
    REQUIRE(newPin != wrongPin);
    const std::uint32_t context = rig.establish();
    const std::uint32_t connection = rig.connect(context);
    send(rig, connection, fromHex("00A4040C08F04B414D55534D01"));
    Bytes change = fromHex("002401811406313233343536"
                           "0C");
    appendPin(change, newPin);
    send(rig, connection, std::move(change));
    for (const auto* pin : {&newPin, &wrongPin}) {
        Bytes verify = fromHex("002000810C");
        appendPin(verify, *pin);
        send(rig, connection, std::move(verify));
    }
    CHECK(rig.card->pinTriesLeft() == 2); // the new PIN was set, the wrong one cost a try
    rig.result({{"method", "disconnect"}, {"connection", connection}, {"disposition", "reset"}});
    rig.result({{"method", "releaseContext"}, {"context", context}});
    // The in-memory PC/SC records every command for other tests: not the host's memory.
    for (Bytes& command : rig.world->commands)
        wipe(command);

    const MemoryScanResult found = MemoryScan(mask, {newPin, wrongPin}).run();
    CHECK(found.bytes > 1'000'000);
    CHECK(found.ascii == 0);
    CHECK(found.bcd == 0);
    CHECK(found.utf16 == 0);
}
