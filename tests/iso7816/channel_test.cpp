#include "kamusm/iso7816/channel.hpp"
#include "kamusm/iso7816/error.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <string>
#include <vector>

using namespace kamusm;
using namespace kamusm::iso7816;

namespace {

// Answers each command from a script and records the encoded commands it was sent.
class ScriptedChannel : public Channel {
public:
    explicit ScriptedChannel(bool extended) : extended_(extended) {}

    void answer(const Bytes& response) { script_.push_back(response); }
    const std::vector<std::string>& sent() const { return sent_; }

    Task<ResponseApdu> transmitRaw(const CommandApdu& command) override {
        sent_.push_back(toHex(command.encode(), ' '));
        REQUIRE_FALSE(script_.empty());
        const Bytes response = script_.front();
        script_.pop_front();
        co_return ResponseApdu::decode(response);
    }
    bool extendedApdus() const override { return extended_; }

private:
    bool extended_;
    std::deque<Bytes> script_;
    std::vector<std::string> sent_;
};

Bytes repeated(std::size_t count, std::uint8_t byte) {
    return Bytes(count, byte);
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string hexOf(std::size_t count, const std::string& byte) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
        text += " " + byte;
    return text;
}

} // namespace

TEST_CASE("a plain exchange passes through") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("01 02 90 00"));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x00, 0xCA, 0x01, 0x06, {}, 2}));
    CHECK(response.data == fromHex("01 02"));
    CHECK(response.ok());
    CHECK(channel.sent() == std::vector<std::string>{"00 CA 01 06 02"});
}

TEST_CASE("61xx is followed by GET RESPONSE until the data is complete") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("61 00"));
    channel.answer(concat(repeated(256, 0xAB), fromHex("61 04")));
    channel.answer(fromHex("01 02 03 04 90 00"));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x80, 0xB0, 0x00, 0x00, {}, 256}));
    CHECK(response.ok());
    CHECK(response.data == concat(repeated(256, 0xAB), fromHex("01 02 03 04")));
    // CLA of the command; 61 00 asks for 256 (Le 00).
    CHECK(channel.sent() ==
          std::vector<std::string>{"80 B0 00 00 00", "80 C0 00 00 00", "80 C0 00 00 04"});
}

TEST_CASE("a final status other than 9000 is returned with the data gathered so far") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("AA 61 02"));
    channel.answer(fromHex("BB 62 82"));
    const ResponseApdu response = runSync(transmit(channel, CommandApdu{0x00, 0xB0, 0, 0, {}, 3}));
    CHECK(response.sw() == 0x6282);
    CHECK(response.data == fromHex("AA BB"));
}

TEST_CASE("6Cxx re-sends the command once with Le = xx") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("6C 08"));
    channel.answer(concat(repeated(8, 0x55), fromHex("90 00")));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 256}));
    CHECK(response.data == repeated(8, 0x55));
    CHECK(channel.sent() == std::vector<std::string>{"00 B0 00 00 00", "00 B0 00 00 08"});

    ScriptedChannel twice(false);
    twice.answer(fromHex("6C 08"));
    twice.answer(fromHex("6C 04"));
    CHECK(runSync(transmit(twice, CommandApdu{0x00, 0xB0, 0, 0, {}, 1})).sw() == 0x6C04);
    CHECK(twice.sent().size() == 2);
}

TEST_CASE("6C00 means 256 and can lead to 61xx") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("6C 00"));
    channel.answer(fromHex("61 01"));
    channel.answer(fromHex("77 90 00"));
    const ResponseApdu response = runSync(transmit(channel, CommandApdu{0x00, 0xB0, 0, 0, {}, 1}));
    CHECK(response.data == fromHex("77"));
    CHECK(channel.sent() ==
          std::vector<std::string>{"00 B0 00 00 01", "00 B0 00 00 00", "00 C0 00 00 01"});
}

TEST_CASE("long data goes as a CLA-chained sequence on a short channel") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("90 00"));
    channel.answer(fromHex("90 00"));
    channel.answer(fromHex("01 90 00"));
    const Bytes data = concat(concat(repeated(255, 0x11), repeated(255, 0x22)), repeated(10, 0x33));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x00, 0x2A, 0x9E, 0x9A, data, 256}));
    CHECK(response.data == fromHex("01"));
    CHECK(channel.sent() == std::vector<std::string>{"10 2A 9E 9A FF" + hexOf(255, "11"),
                                                     "10 2A 9E 9A FF" + hexOf(255, "22"),
                                                     "00 2A 9E 9A 0A" + hexOf(10, "33") + " 00"});
}

TEST_CASE("an intermediate chain answer other than 9000 stops the chain") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("68 84"));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x00, 0xD6, 0, 0, repeated(300, 0x44), {}}));
    CHECK(response.sw() == 0x6884);
    CHECK(channel.sent().size() == 1);
}

TEST_CASE("exactly 255 bytes need no chaining; an extended channel never chains") {
    ScriptedChannel shortChannel(false);
    shortChannel.answer(fromHex("90 00"));
    runSync(transmit(shortChannel, CommandApdu{0x00, 0xD6, 0, 0, repeated(255, 0x44), {}}));
    CHECK(shortChannel.sent() == std::vector<std::string>{"00 D6 00 00 FF" + hexOf(255, "44")});

    ScriptedChannel extended(true);
    extended.answer(fromHex("90 00"));
    runSync(transmit(extended, CommandApdu{0x00, 0xD6, 0, 0, repeated(300, 0x44), 1000}));
    CHECK(extended.sent() ==
          std::vector<std::string>{"00 D6 00 00 00 01 2C" + hexOf(300, "44") + " 03 E8"});
}

TEST_CASE("Le above 256 on a short channel asks 256 and gathers the rest by GET RESPONSE") {
    ScriptedChannel channel(false);
    channel.answer(concat(repeated(256, 0x01), fromHex("61 00")));
    channel.answer(concat(repeated(256, 0x02), fromHex("61 20")));
    channel.answer(concat(repeated(32, 0x03), fromHex("90 00")));
    const ResponseApdu response =
        runSync(transmit(channel, CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 544}));
    CHECK(response.ok());
    CHECK(response.data.size() == 544);
    CHECK(response.data[300] == 0x02);
    CHECK(channel.sent() ==
          std::vector<std::string>{"00 B0 00 00 00", "00 C0 00 00 00", "00 C0 00 00 20"});
}

TEST_CASE("an endless 61xx answer ends with MalformedResponse") {
    ScriptedChannel channel(false);
    channel.answer(fromHex("61 00"));
    for (int i = 0; i < 257; ++i)
        channel.answer(concat(repeated(256, 0xEE), fromHex("61 00")));
    try {
        runSync(transmit(channel, CommandApdu{0x00, 0xB0, 0, 0, {}, 256}));
        FAIL("no error");
    } catch (const iso7816::Error& error) {
        CHECK(error.code() == ErrorCode::MalformedResponse);
    }
    CHECK(channel.sent().size() == 258); // 65536 bytes are allowed, the next chunk is not

    ScriptedChannel empty(false);
    empty.answer(fromHex("61 10"));
    empty.answer(fromHex("61 10"));
    try {
        runSync(transmit(empty, CommandApdu{0x00, 0xB0, 0, 0, {}, 16}));
        FAIL("no error");
    } catch (const iso7816::Error& error) {
        CHECK(error.code() == ErrorCode::MalformedResponse);
    }
}
