#include "kamusm/iso7816/apdu.hpp"
#include "kamusm/iso7816/error.hpp"

#include <doctest/doctest.h>

#include <functional>

using namespace kamusm;
using namespace kamusm::iso7816;

namespace {

CommandApdu command(Bytes data, std::optional<std::size_t> le) {
    return CommandApdu{0x00, 0xB0, 0x01, 0x02, std::move(data), le};
}

void checkRoundTrip(const CommandApdu& apdu, const std::string& hex, std::size_t caseNumber) {
    CAPTURE(hex);
    CHECK(apdu.caseNumber() == caseNumber);
    CHECK(toHex(apdu.encode(), ' ') == hex);
    const CommandApdu decoded = CommandApdu::decode(fromHex(hex));
    CHECK(decoded.cla == apdu.cla);
    CHECK(decoded.ins == apdu.ins);
    CHECK(decoded.p1 == apdu.p1);
    CHECK(decoded.p2 == apdu.p2);
    CHECK(decoded.data == apdu.data);
    CHECK(decoded.le == apdu.le);
}

std::string hexOf(std::size_t count, const std::string& byte) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
        text += " " + byte;
    return text;
}

ErrorCode failure(const std::function<void()>& action) {
    try {
        action();
    } catch (const iso7816::Error& error) {
        return error.code();
    }
    FAIL("no error");
    return ErrorCode::UnexpectedStatus;
}

} // namespace

TEST_CASE("short command APDUs, all four cases") {
    checkRoundTrip(command({}, std::nullopt), "00 B0 01 02", 1);
    checkRoundTrip(command({}, 16), "00 B0 01 02 10", 2);
    checkRoundTrip(command({}, 256), "00 B0 01 02 00", 2); // Le 256 → 00
    checkRoundTrip(command({0xAA, 0xBB}, std::nullopt), "00 B0 01 02 02 AA BB", 3);
    checkRoundTrip(command({0xAA}, 256), "00 B0 01 02 01 AA 00", 4);
    checkRoundTrip(command(Bytes(255, 0x11), 1), "00 B0 01 02 FF" + hexOf(255, "11") + " 01", 4);
    CHECK_FALSE(command(Bytes(255, 0x11), 256).extended());
}

TEST_CASE("extended command APDUs, all three cases with a body") {
    checkRoundTrip(command({}, 257), "00 B0 01 02 00 01 01", 2);
    checkRoundTrip(command({}, 65536), "00 B0 01 02 00 00 00", 2); // Le 65536 → 0000
    checkRoundTrip(command(Bytes(256, 0x22), std::nullopt),
                   "00 B0 01 02 00 01 00" + hexOf(256, "22"), 3);
    checkRoundTrip(command(Bytes(256, 0x22), 65536),
                   "00 B0 01 02 00 01 00" + hexOf(256, "22") + " 00 00", 4);
    checkRoundTrip(command({0x33}, 1000), "00 B0 01 02 00 00 01 33 03 E8", 4);
    CHECK(command({}, 257).extended());
    CHECK(command(Bytes(256, 0), std::nullopt).extended());
}

TEST_CASE("commands that cannot be encoded") {
    CHECK(failure([] { command(Bytes(65536, 0), std::nullopt).encode(); }) ==
          ErrorCode::MalformedApdu);
    CHECK(failure([] { command({}, 65537).encode(); }) == ErrorCode::MalformedApdu);
    CHECK(failure([] { command({}, 0).encode(); }) == ErrorCode::MalformedApdu);
    CHECK(command(Bytes(65535, 0), 65536).encode().size() == 4 + 3 + 65535 + 2);
}

TEST_CASE("malformed command APDUs throw MalformedApdu") {
    for (const char* hex : {"", "00 A4 04", "00 A4 04 00 02 3F", "00 A4 04 00 02 3F 00 00 00",
                            "00 A4 04 00 00 00", "00 A4 04 00 00 00 00 00",
                            "00 A4 04 00 00 00 02 3F", "00 A4 04 00 00 00 01 3F 00 00 00"}) {
        CAPTURE(hex);
        CHECK(failure([hex] { CommandApdu::decode(fromHex(hex)); }) == ErrorCode::MalformedApdu);
    }
}

TEST_CASE("response APDUs") {
    const ResponseApdu response = ResponseApdu::decode(fromHex("01 02 03 90 00"));
    CHECK(response.data == fromHex("01 02 03"));
    CHECK(response.sw1 == 0x90);
    CHECK(response.sw2 == 0x00);
    CHECK(response.sw() == 0x9000);
    CHECK(response.ok());
    CHECK(response.encode() == fromHex("01 02 03 90 00"));
    const ResponseApdu bare = ResponseApdu::decode(fromHex("6A 82"));
    CHECK(bare.data.empty());
    CHECK(bare.sw() == 0x6A82);
    CHECK_FALSE(bare.ok());
    CHECK(failure([] { ResponseApdu::decode(fromHex("90")); }) == ErrorCode::MalformedResponse);
    CHECK(failure([] { ResponseApdu::decode({}); }) == ErrorCode::MalformedResponse);
}
