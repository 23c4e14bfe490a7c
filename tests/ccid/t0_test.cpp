#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t0.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::ccid {

namespace {

// The card's side of the line: a queue of characters it sends, and a record of what it got.
class ScriptedLine : public t0::CharacterLine {
public:
    explicit ScriptedLine(std::string_view cardBytes) {
        for (std::uint8_t byte : fromHex(cardBytes))
            fromCard_.push_back(byte);
    }
    std::uint8_t receiveByte() override {
        REQUIRE_MESSAGE(!fromCard_.empty(), "the host waits for a byte the card never sends");
        const std::uint8_t byte = fromCard_.front();
        fromCard_.pop_front();
        return byte;
    }
    void sendBytes(ByteView bytes) override { sent.push_back(toHex(bytes, ' ')); }

    std::vector<std::string> sent; // each sendBytes call
    bool drained() const { return fromCard_.empty(); }

private:
    std::deque<std::uint8_t> fromCard_;
};

iso7816::CommandApdu command(std::string_view header, std::string_view data,
                             std::optional<std::size_t> le) {
    const Bytes h = fromHex(header);
    return {h[0], h[1], h[2], h[3], fromHex(data), le};
}

ErrorCode codeOf(const std::function<void()>& run) {
    try {
        run();
    } catch (const Error& error) {
        return error.code();
    }
    FAIL("no ccid::Error thrown");
    return ErrorCode::NotCcid;
}

} // namespace

TEST_CASE("T=0 TPDUs for the four short cases") {
    // Case 1: P3 = 00.
    CHECK(toHex(t0::tpduFor(command("00 A4 00 0C", "", {})), ' ') == "00 A4 00 0C 00");
    // Case 2S: P3 = Le, 256 coded 00.
    CHECK(toHex(t0::tpduFor(command("00 B0 00 00", "", 0x10)), ' ') == "00 B0 00 00 10");
    CHECK(toHex(t0::tpduFor(command("00 B0 00 00", "", 256)), ' ') == "00 B0 00 00 00");
    // Case 3S: P3 = Lc and the data.
    CHECK(toHex(t0::tpduFor(command("00 20 00 01", "31 32 33 34", {})), ' ') ==
          "00 20 00 01 04 31 32 33 34");
    // Case 4S: Le is not sent; the card answers 61xx.
    CHECK(toHex(t0::tpduFor(command("00 A4 04 00", "A0 00 00 00 63", 256)), ' ') ==
          "00 A4 04 00 05 A0 00 00 00 63");
    // 255 data bytes is still short.
    CHECK(t0::tpduFor(command("00 D6 00 00", "", {})).size() == 5);
    iso7816::CommandApdu longest = command("00 D6 00 00", "", {});
    longest.data.assign(255, 0xAA);
    CHECK(t0::tpduFor(longest).size() == 260);
}

TEST_CASE("extended APDUs are not carried by T=0") {
    iso7816::CommandApdu bigData = command("00 D6 00 00", "", {});
    bigData.data.assign(256, 0);
    CHECK(codeOf([&] { t0::tpduFor(bigData); }) == ErrorCode::Unsupported);
    CHECK(codeOf([&] { t0::tpduFor(command("00 B0 00 00", "", 257)); }) == ErrorCode::Unsupported);
}

TEST_CASE("case 2: NULL bytes, ACK, then all the data and SW1 SW2") {
    ScriptedLine line("60 60 B0 01 02 03 04 90 00");
    t0::ProcedureEngine engine(line);
    CHECK(toHex(engine.transmit(fromHex("00 B0 00 00 04"))) == "010203049000");
    CHECK(line.sent == std::vector<std::string>{"00 B0 00 00 04"});
    CHECK(line.drained());
}

TEST_CASE("case 3: ACK sends all the data at once") {
    ScriptedLine line("20 60 90 00");
    t0::ProcedureEngine engine(line);
    CHECK(toHex(engine.transmit(fromHex("00 20 00 01 04 31 32 33 34"))) == "9000");
    CHECK(line.sent == std::vector<std::string>{"00 20 00 01 04", "31 32 33 34"});
}

TEST_CASE("~INS sends one byte at a time, INS the rest") {
    ScriptedLine line("DF DF 20 63 C2");
    t0::ProcedureEngine engine(line);
    CHECK(toHex(engine.transmit(fromHex("00 20 00 01 04 31 32 33 34"))) == "63C2");
    CHECK(line.sent == std::vector<std::string>{"00 20 00 01 04", "31", "32", "33 34"});
}

TEST_CASE("~INS receives one byte at a time") {
    ScriptedLine line("4F 01 60 4F 02 B0 03 90 00");
    t0::ProcedureEngine engine(line);
    CHECK(toHex(engine.transmit(fromHex("00 B0 00 00 03"))) == "0102039000");
}

TEST_CASE("case 4 ends in 61xx after the data; P3 00 means 256 to receive") {
    ScriptedLine line("A4 61 20");
    t0::ProcedureEngine engine(line);
    CHECK(toHex(engine.transmit(fromHex("00 A4 04 00 02 3F 00"))) == "6120");
    CHECK(line.sent == std::vector<std::string>{"00 A4 04 00 02", "3F 00"});

    std::string many = "B0";
    for (int i = 0; i < 256; ++i)
        many += " 5A";
    many += " 90 00";
    ScriptedLine full(many);
    t0::ProcedureEngine reader(full);
    CHECK(reader.transmit(fromHex("00 B0 00 00 00")).size() == 258);
}

TEST_CASE("6Cxx and other status words end the exchange at once") {
    ScriptedLine wrongLe("6C 10");
    t0::ProcedureEngine engine(wrongLe);
    CHECK(toHex(engine.transmit(fromHex("00 B0 00 00 00"))) == "6C10");

    ScriptedLine notFound("6A 82");
    t0::ProcedureEngine second(notFound);
    CHECK(toHex(second.transmit(fromHex("00 A4 00 0C 02 3F 00"))) == "6A82");
    CHECK(notFound.sent.size() == 1);
}

TEST_CASE("an unexpected procedure byte is a conflict") {
    for (const char* bytes : {"00", "A5", "B1", "80 00", "FF"}) {
        CAPTURE(bytes);
        ScriptedLine line(bytes);
        t0::ProcedureEngine engine(line);
        CHECK(codeOf([&] { engine.transmit(fromHex("00 B0 00 00 02")); }) ==
              ErrorCode::ProcedureByteConflict);
    }
}

TEST_CASE("asking for data beyond P3 is a conflict") {
    ScriptedLine line("B0 01 02 B0");
    t0::ProcedureEngine engine(line);
    CHECK(codeOf([&] { engine.transmit(fromHex("00 B0 00 00 02")); }) ==
          ErrorCode::ProcedureByteConflict);

    ScriptedLine outgoing("20 DF");
    t0::ProcedureEngine sender(outgoing);
    CHECK(codeOf([&] { sender.transmit(fromHex("00 20 00 01 01 31")); }) ==
          ErrorCode::ProcedureByteConflict);
}

TEST_CASE("too many NULL bytes time out") {
    std::string nulls;
    for (int i = 0; i <= t0::ProcedureEngine::maxNullBytes; ++i)
        nulls += "60 ";
    ScriptedLine line(nulls);
    t0::ProcedureEngine engine(line);
    CHECK(codeOf([&] { engine.transmit(fromHex("00 B0 00 00 02")); }) == ErrorCode::Timeout);

    std::string justEnough;
    for (int i = 0; i < t0::ProcedureEngine::maxNullBytes; ++i)
        justEnough += "60 ";
    ScriptedLine patient(justEnough + "90 00");
    t0::ProcedureEngine second(patient);
    CHECK(toHex(second.transmit(fromHex("00 B0 00 00 02"))) == "9000");
}

TEST_CASE("a malformed TPDU is refused before anything is sent") {
    ScriptedLine line("");
    t0::ProcedureEngine engine(line);
    CHECK(codeOf([&] { engine.transmit(fromHex("00 B0 00 00")); }) == ErrorCode::Unsupported);
    CHECK(codeOf([&] { engine.transmit(fromHex("00 20 00 00 03 31 32")); }) ==
          ErrorCode::Unsupported);
    CHECK(line.sent.empty());
}

} // namespace kamusm::ccid
