#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t1.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

namespace kamusm::ccid {

namespace {

// One block the host must send, byte for byte, and what the card answers to it.
struct Step {
    Bytes sent;
    Bytes reply;
    std::uint8_t bwiMultiplier = 1;
    bool parityError = false; // the reader reports bError XFR_PARITY_ERROR instead of a reply
};

class ScriptedCard : public BlockTransport {
public:
    explicit ScriptedCard(std::vector<Step> steps) : steps_(std::move(steps)) {}

    Task<Bytes> exchangeBlock(ByteView block, std::uint8_t bwiMultiplier) override {
        REQUIRE_MESSAGE(next_ < steps_.size(), "unexpected block " << toHex(block, ' '));
        const Step& step = steps_[next_++];
        INFO("step " << next_);
        CHECK(toHex(block, ' ') == toHex(step.sent, ' '));
        CHECK(int(bwiMultiplier) == int(step.bwiMultiplier));
        if (step.parityError) throw Error(ErrorCode::ParityError, "parity", 0xFD);
        co_return step.reply;
    }
    bool finished() const { return next_ == steps_.size(); }

private:
    std::vector<Step> steps_;
    std::size_t next_ = 0;
};

Bytes hex(std::string_view text) {
    return fromHex(text);
}

// A block with its LRC: the literal vectors below check lrc() itself.
Bytes lrcBlock(std::uint8_t nad, std::uint8_t pcb, ByteView information) {
    return t1::frame(nad, pcb, information, t1::Edc::Lrc);
}
Bytes lrcBlock(std::uint8_t pcb, ByteView information) {
    return lrcBlock(0, pcb, information);
}

Bytes pattern(std::size_t size, std::uint8_t seed) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<std::uint8_t>(seed + i * 7);
    return out;
}

Bytes slice(const Bytes& bytes, std::size_t from, std::size_t count) {
    return Bytes(bytes.begin() + from, bytes.begin() + from + count);
}

const Bytes selectApdu = hex("00 A4 04 00 00");
const Bytes ok = hex("90 00");

// Frequently used control blocks, NAD 00, LRC.
const Bytes r0 = hex("00 80 00 80"), r1 = hex("00 90 00 90");
const Bytes r0Edc = hex("00 81 00 81"), r0Other = hex("00 82 00 82"), r1Other = hex("00 92 00 92");
const Bytes resynchRequest = hex("00 C0 00 C0"), resynchResponse = hex("00 E0 00 E0");

t1::Parameters ifs254() {
    return {.nad = 0, .ifsc = 254, .ifsd = 254, .edc = t1::Edc::Lrc};
}

void expectProtocolError(const std::function<void()>& run) {
    try {
        run();
        FAIL("no ccid::Error thrown");
    } catch (const Error& error) {
        CHECK(error.code() == ErrorCode::ProtocolError);
    }
}

} // namespace

TEST_CASE("LRC is the XOR of prologue and information") {
    CHECK(t1::lrc(hex("00 C1 01 FE")) == 0x3E);
    CHECK(t1::lrc(hex("00 40 02 90 00")) == 0xD2);
    CHECK(t1::lrc({}) == 0x00);
    CHECK(toHex(t1::frame(0x00, 0xC1, hex("FE"), t1::Edc::Lrc), ' ') == "00 C1 01 FE 3E");
    CHECK(toHex(t1::frame(0x00, 0x00, selectApdu, t1::Edc::Lrc), ' ') ==
          "00 00 05 00 A4 04 00 00 A5");
}

TEST_CASE("CRC: reflected x^16+x^12+x^5+1, initial FFFF, no complement, high byte first") {
    const std::string check = "123456789";
    CHECK(t1::crc(ByteView(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())) ==
          0x6F91);
    CHECK(t1::crc({}) == 0xFFFF);
    CHECK(toHex(t1::frame(0x00, 0xC1, hex("FE"), t1::Edc::Crc), ' ') == "00 C1 01 FE 54 4E");
    CHECK(toHex(t1::frame(0x00, 0x00, selectApdu, t1::Edc::Crc), ' ') ==
          "00 00 05 00 A4 04 00 00 DB BB");
}

TEST_CASE("frame refuses an information field over 254 bytes") {
    CHECK_NOTHROW(t1::frame(0, 0, Bytes(254), t1::Edc::Lrc));
    CHECK_THROWS_AS(t1::frame(0, 0, Bytes(255), t1::Edc::Lrc), Error);
}

TEST_CASE("parse: block fields, EDC errors and unframeable bytes") {
    const auto i = t1::parse(hex("00 60 02 90 00 F2"), t1::Edc::Lrc);
    REQUIRE(i);
    CHECK(i->type() == t1::BlockType::I);
    CHECK(i->sequence() == 1);
    CHECK(i->more());
    CHECK(toHex(i->information) == "9000");

    const auto r = t1::parse(hex("00 91 00 91"), t1::Edc::Lrc);
    REQUIRE(r);
    CHECK(r->type() == t1::BlockType::R);
    CHECK(r->sequence() == 1);
    CHECK(r->rError() == 1);
    CHECK_FALSE(r->more());

    const auto s = t1::parse(hex("00 E3 01 05 E7"), t1::Edc::Lrc);
    REQUIRE(s);
    CHECK(s->type() == t1::BlockType::S);
    CHECK(s->response());
    CHECK(s->sType() == 3);
    CHECK(s->information == hex("05"));

    const auto crc = t1::parse(hex("00 E1 01 FE 57 75"), t1::Edc::Crc);
    REQUIRE(crc);
    CHECK(crc->sType() == 1);

    CHECK_FALSE(t1::parse(hex("00 00 02 90 00 93"), t1::Edc::Lrc));      // LRC should be 92
    CHECK_FALSE(t1::parse(hex("00 E1 01 FE 75 57"), t1::Edc::Crc));      // bytes swapped
    CHECK_THROWS_AS(t1::parse(hex("00 00 FF 00"), t1::Edc::Lrc), Error); // LEN FF is RFU
    CHECK_THROWS_AS(t1::parse(hex("00 00 03 90 00 93"), t1::Edc::Lrc), Error);
    CHECK_THROWS_AS(t1::parse(hex("00 00 02 90 00 92 00"), t1::Edc::Lrc), Error);
    CHECK_THROWS_AS(t1::parse(hex("00 80 00"), t1::Edc::Crc), Error);
    CHECK_THROWS_AS(t1::parse({}, t1::Edc::Lrc), Error);
}

TEST_CASE("IFSD negotiation: S(IFS request) FE answered by S(IFS response) FE") {
    ScriptedCard card({{hex("00 C1 01 FE 3E"), hex("00 E1 01 FE 1E")}});
    t1::Protocol protocol(card, {});
    runSync(protocol.negotiateIfsd(254));
    CHECK(protocol.parameters().ifsd == 254);
    CHECK(card.finished());
}

TEST_CASE("IFSD negotiation with CRC") {
    ScriptedCard card({{hex("00 C1 01 FE 54 4E"), hex("00 E1 01 FE 57 75")}});
    t1::Protocol protocol(card, {.edc = t1::Edc::Crc});
    runSync(protocol.negotiateIfsd(254));
    CHECK(protocol.parameters().ifsd == 254);
}

TEST_CASE("IFSD negotiation: a wrong or garbled response makes the request go again") {
    ScriptedCard card({
        {hex("00 C1 01 F7 37"), hex("00 E1 01 20 C0")}, // another size: not the answer
        {hex("00 C1 01 F7 37"), hex("00 E1 01 F7 00")}, // EDC wrong
        {hex("00 C1 01 F7 37"), hex("00 E1 01 F7 17")},
    });
    t1::Protocol protocol(card, {});
    runSync(protocol.negotiateIfsd(247));
    CHECK(protocol.parameters().ifsd == 247);
    CHECK(card.finished());
}

TEST_CASE("IFSD negotiation fails after three attempts; the next exchange starts with RESYNCH") {
    ScriptedCard card({
        {hex("00 C1 01 FE 3E"), hex("00 80 00 80")},
        {hex("00 C1 01 FE 3E"), hex("00 80 00 80")},
        {hex("00 C1 01 FE 3E"), hex("00 80 00 80")},
        {resynchRequest, resynchResponse},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    expectProtocolError([&] { runSync(protocol.negotiateIfsd(254)); });
    CHECK(protocol.parameters().ifsd == 32);
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("IFSD out of range is refused before anything is sent") {
    ScriptedCard card({});
    t1::Protocol protocol(card, {});
    CHECK_THROWS_AS(runSync(protocol.negotiateIfsd(0)), Error);
    CHECK_THROWS_AS(runSync(protocol.negotiateIfsd(255)), Error);
}

TEST_CASE("an APDU and its answer, with N(S) alternating between exchanges") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, hex("6F 00 90 00"))},
        {lrcBlock(0x40, selectApdu), lrcBlock(0x40, ok)},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, ifs254());
    CHECK(toHex(runSync(protocol.transceive(selectApdu))) == "6F009000");
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

// ISO/IEC 7816-3 Annex A, chaining by the interface device: I(0,1) R(1) I(1,0) I(0,0).
TEST_CASE("a 300-byte APDU goes in two chained I-blocks under IFSC 254") {
    const Bytes apdu = pattern(300, 1);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 254)), r1},
        {lrcBlock(0x40, slice(apdu, 254, 46)), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, ifs254());
    CHECK(runSync(protocol.transceive(apdu)) == ok);
    CHECK(card.finished());
}

// Annex A, chaining by the card: I(0,0) I(0,1) R(1) I(1,1) R(0) I(0,0).
TEST_CASE("a 600-byte response chained by the card is acknowledged block by block") {
    const Bytes answer = pattern(600, 3);
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), lrcBlock(0x20, slice(answer, 0, 254))},
        {r1, lrcBlock(0x60, slice(answer, 254, 254))},
        {r0, lrcBlock(0x00, slice(answer, 508, 92))},
    });
    t1::Protocol protocol(card, ifs254());
    CHECK(runSync(protocol.transceive(selectApdu)) == answer);
    CHECK(card.finished());
}

TEST_CASE("chaining both ways in one exchange, with an empty I-block in the card's chain") {
    const Bytes apdu = pattern(70, 9);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 32)), r1},
        {lrcBlock(0x60, slice(apdu, 32, 32)), r0},
        {lrcBlock(0x00, slice(apdu, 64, 6)), lrcBlock(0x20, hex("01 02"))},
        {r1, lrcBlock(0x60, {})},
        {r0, lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(toHex(runSync(protocol.transceive(apdu))) == "01029000");
    CHECK(card.finished());
}

// Annex A, error recovery: the card's I-block arrives garbled, the host asks for it with
// R(0) and the EDC error bit, the card sends it again.
TEST_CASE("a block with a wrong LRC is asked for again with the EDC error bit") {
    Bytes garbled = lrcBlock(0x00, ok);
    garbled.back() ^= 0x01;
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), garbled},
        {r0Edc, lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("with CRC, a garbled CRC is asked for again in a CRC-framed R-block") {
    Bytes garbled = t1::frame(0x00, 0x00, ok, t1::Edc::Crc);
    garbled[3] ^= 0x80;
    ScriptedCard card({
        {t1::frame(0x00, 0x00, selectApdu, t1::Edc::Crc), garbled},
        {hex("00 81 00 AC 27"), t1::frame(0x00, 0x00, ok, t1::Edc::Crc)},
    });
    t1::Protocol protocol(card, {.edc = t1::Edc::Crc});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("a parity error reported by the reader is answered like an EDC error") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), {}, 1, true},
        {r0Edc, lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
}

TEST_CASE("other transport errors go through untouched") {
    struct Mute : BlockTransport {
        Task<Bytes> exchangeBlock(ByteView, std::uint8_t) override {
            throw Error(ErrorCode::CardMute, "mute", 0xFE);
            co_return Bytes{};
        }
    } mute;
    t1::Protocol protocol(mute, {});
    try {
        runSync(protocol.transceive(selectApdu));
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(error.code() == ErrorCode::CardMute);
    }
}

TEST_CASE("invalid blocks are answered by R-blocks with the other-error bit") {
    const std::vector<Bytes> invalid{
        hex("00 00 FF 00"),        // LEN FF
        hex("00 00 05 90 00 90"),  // shorter than LEN
        hex("10 00 02 90 00 82"),  // wrong NAD
        lrcBlock(0x40, ok),        // N(S) 1 where 0 is expected
        hex("00 A0 00 A0"),        // R-block with bit 6 set
        hex("00 83 00 83"),        // R-block error code 3 is RFU
        hex("00 81 01 00 80"),     // R-block with INF
        hex("00 C0 00 C0"),        // S(RESYNCH request) from the card
        hex("00 C1 01 00 C0"),     // IFS 00
        hex("00 C1 01 FF 3F"),     // IFS FF
        hex("00 C3 00 C3"),        // WTX without INF
        hex("00 C4 00 C4"),        // unknown S type
        hex("00 E1 01 20 C0"),     // an S response nobody asked for
        lrcBlock(0x00, Bytes(33)), // I-block over IFSD 32
    };
    for (const Bytes& block : invalid) {
        CAPTURE(toHex(block, ' '));
        ScriptedCard card({
            {lrcBlock(0x00, selectApdu), block},
            {r0Other, lrcBlock(0x00, ok)},
        });
        t1::Protocol protocol(card, {});
        CHECK(runSync(protocol.transceive(selectApdu)) == ok);
        CHECK(card.finished());
    }
}

// Annex A: the card missed the host's I-block and asks for it with R(0).
TEST_CASE("R(N(S)) from the card makes the host send its I-block again") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), r0Edc},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

// Annex A: the acknowledgement of a chained block is garbled; the host asks with R(0) (the N(S)
// it expects from the card) and the card repeats R(1).
TEST_CASE("a garbled acknowledgement during the host's chain") {
    const Bytes apdu = pattern(40, 5);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 32)), hex("00 90 00 91")},
        {r0Edc, r1},
        {lrcBlock(0x40, slice(apdu, 32, 8)), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(apdu)) == ok);
    CHECK(card.finished());
}

// Annex A: during the card's chain, the host's R-block is lost; the card says so with an
// R-block and the host sends the same R-block again (rule 7.2), also after a garbled block.
TEST_CASE("the host repeats its last R-block while receiving a chain") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), lrcBlock(0x20, hex("01"))},
        {r1, hex("00 80 00 80")},
        {r1, hex("00 40 01 02 44")}, // garbled
        {r1, lrcBlock(0x40, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(toHex(runSync(protocol.transceive(selectApdu))) == "019000");
    CHECK(card.finished());
}

TEST_CASE("a chained I-block answered with an I-block instead of R(N(S)+1) is invalid") {
    const Bytes apdu = pattern(40, 5);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 32)), lrcBlock(0x00, ok)},
        {r0Other, r1},
        {lrcBlock(0x40, slice(apdu, 32, 8)), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(apdu)) == ok);
}

// Rule 7.4: three attempts, then S(RESYNCH request); the exchange is given up rather than
// repeated, since the card may already have executed the command.
TEST_CASE("three failures lead to RESYNCH and a ProtocolError") {
    const Bytes garbage = hex("00 00 02 90 00 00");
    const Bytes r1Edc = hex("00 91 00 91"); // after one exchange the host expects N(S) 1
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
        {lrcBlock(0x40, selectApdu), garbage},
        {r1Edc, garbage},
        {r1Edc, garbage},
        {resynchRequest, resynchResponse},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    expectProtocolError([&] { runSync(protocol.transceive(selectApdu)); });
    // Resynchronised: N(S) is 0 again and no further RESYNCH is needed.
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("a card that never answers RESYNCH: ProtocolError, and RESYNCH first next time") {
    const Bytes garbage = hex("00 00 02 90 00 00");
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), garbage},
        {r0Edc, garbage},
        {r0Edc, garbage},
        {resynchRequest, garbage},
        {resynchRequest, r0},
        {resynchRequest, hex("00 E1 01 20 C0")},
        {resynchRequest, resynchResponse},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    expectProtocolError([&] { runSync(protocol.transceive(selectApdu)); });
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("an explicit RESYNCH sets N(S) back to 0 and keeps the smaller IFSC") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
        {hex("00 C0 00 C0"), hex("00 C1 01 10 D0")}, // not the answer: the request goes again
        {resynchRequest, resynchResponse},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, ifs254());
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    runSync(protocol.resynch());
    CHECK(protocol.parameters().ifsc == 254);
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

// Annex A, waiting time extension: S(WTX request) answered with the same INF; that block's wait
// is multiplied, the next one is not.
TEST_CASE("WTX: S(WTX response) with the same multiplier, for one block only") {
    ScriptedCard card({
        {lrcBlock(0x00, selectApdu), hex("00 C3 01 05 C7")},
        {hex("00 E3 01 05 E7"), hex("00 C3 01 02 C0"), 5},
        {hex("00 E3 01 02 E0"), lrcBlock(0x00, ok), 2},
        {lrcBlock(0x40, selectApdu), lrcBlock(0x40, ok), 1},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("WTX during the host's chain and during IFSD negotiation") {
    const Bytes apdu = pattern(40, 5);
    ScriptedCard card({
        {hex("00 C1 01 FE 3E"), hex("00 C3 01 03 C1")},
        {hex("00 E3 01 03 E1"), hex("00 E1 01 FE 1E"), 3},
        {lrcBlock(0x20, slice(apdu, 0, 32)), hex("00 C3 01 01 C3")},
        {hex("00 E3 01 01 E3"), r1, 1},
        {lrcBlock(0x40, slice(apdu, 32, 8)), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    runSync(protocol.negotiateIfsd(254));
    CHECK(runSync(protocol.transceive(apdu)) == ok);
    CHECK(card.finished());
}

// Annex A, IFSC adjustment by the card in the middle of the host's chain.
TEST_CASE("the card's S(IFS request) sets IFSC for the rest of the chain") {
    const Bytes apdu = pattern(100, 2);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 32)), hex("00 C1 01 40 80")},
        {hex("00 E1 01 40 A0"), r1},
        {lrcBlock(0x60, slice(apdu, 32, 64)), r0},
        {lrcBlock(0x00, slice(apdu, 96, 4)), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    CHECK(runSync(protocol.transceive(apdu)) == ok);
    CHECK(protocol.parameters().ifsc == 64);
    CHECK(card.finished());
}

TEST_CASE("NAD: the host's source and destination come back swapped") {
    ScriptedCard card({
        {lrcBlock(0x12, 0x00, selectApdu), lrcBlock(0x12, 0x00, ok)}, // not swapped: invalid
        {hex("12 82 00 90"), lrcBlock(0x21, 0x00, ok)},
    });
    t1::Protocol protocol(card, {.nad = 0x12, .ifsc = 32, .ifsd = 32, .edc = t1::Edc::Lrc});
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

// Annex A, chain abortion requested by the card.
TEST_CASE("S(ABORT request) from the card is answered, the exchange fails, RESYNCH follows") {
    const Bytes apdu = pattern(40, 5);
    ScriptedCard card({
        {lrcBlock(0x20, slice(apdu, 0, 32)), hex("00 C2 00 C2")},
        {hex("00 E2 00 E2"), r0},
        {resynchRequest, resynchResponse},
        {lrcBlock(0x00, selectApdu), lrcBlock(0x00, ok)},
    });
    t1::Protocol protocol(card, {});
    expectProtocolError([&] { runSync(protocol.transceive(apdu)); });
    CHECK(runSync(protocol.transceive(selectApdu)) == ok);
    CHECK(card.finished());
}

TEST_CASE("a card that only ever asks for more time is given up") {
    struct Stalling : BlockTransport {
        int blocks = 0;
        Task<Bytes> exchangeBlock(ByteView, std::uint8_t) override {
            ++blocks;
            co_return hex("00 C3 01 01 C3");
        }
    } stalling;
    t1::Protocol protocol(stalling, {});
    expectProtocolError([&] { runSync(protocol.transceive(selectApdu)); });
    CHECK(stalling.blocks == 1001);
    stalling.blocks = 0;
    expectProtocolError([&] { runSync(protocol.resynch()); });
    CHECK(stalling.blocks == 1001);
}

TEST_CASE("a response chain longer than any APDU is refused") {
    struct Endless : BlockTransport {
        int sequence = 0;
        Task<Bytes> exchangeBlock(ByteView, std::uint8_t) override {
            const Bytes block =
                lrcBlock(static_cast<std::uint8_t>(sequence << 6 | 0x20), Bytes(254));
            sequence ^= 1;
            co_return block;
        }
    } endless;
    t1::Protocol protocol(endless, ifs254());
    expectProtocolError([&] { runSync(protocol.transceive(selectApdu)); });
}

} // namespace kamusm::ccid
