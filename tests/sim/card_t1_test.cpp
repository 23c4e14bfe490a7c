// T1Card: scripted block exchanges. The frames are written out from ISO/IEC 7816-3 §11 by hand:
// NAD PCB LEN INF LRC, with PCB I = 0 N(S) M 00000, R = 100 N(R) 00 ee, S = 11 R/S 000 tt.
#include "kamusm/sim/card_t1.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

using namespace kamusm;
using namespace kamusm::sim;

namespace {

struct Session {
    VirtualCard card{demoCardSetup()};
    T1Card t1{card};

    std::string send(std::string_view block) { return toHex(t1.receive(fromHex(block)), ' '); }
};

// The information fields of the card's I-blocks, reassembled.
Bytes informationOf(const Bytes& block) {
    return Bytes(block.begin() + 3, block.end() - 1);
}

} // namespace

TEST_CASE("LRC and CRC epilogues") {
    CHECK(T1Card::lrc(fromHex("00 00 02 90 00")) == 0x92);
    // ISO/IEC 13239 CRC with FFFF preset, reflected, no final XOR: check value for "123456789".
    const std::string check = "123456789";
    CHECK(T1Card::crc(Bytes(check.begin(), check.end())) == 0x6F91);
    CHECK(toHex(T1Card::frame(0x00, 0x00, fromHex("90 00"), T1Edc::Crc), ' ') ==
          toHex(Bytes{0x00, 0x00, 0x02, 0x90, 0x00,
                      static_cast<std::uint8_t>(T1Card::crc(fromHex("00 00 02 90 00")) >> 8),
                      static_cast<std::uint8_t>(T1Card::crc(fromHex("00 00 02 90 00")))},
                ' '));
}

TEST_CASE("I-blocks both ways with alternating N(S)") {
    Session s;
    // SELECT MF in I(0): LRC = 07^A4^0C^02^3F = 92.
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 40 02 90 00 D2");
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
}

TEST_CASE("NAD: the card answers with SAD and DAD swapped") {
    Session s;
    CHECK(s.send("12 00 07 00 A4 00 0C 02 3F 00 80") == "21 00 02 90 00 B3");
}

TEST_CASE("S(IFS request) sets IFSD; invalid values are refused") {
    Session s;
    CHECK(s.t1.ifsd() == 32);
    CHECK(s.send("00 C1 01 FE 3E") == "00 E1 01 FE 1E");
    CHECK(s.t1.ifsd() == 254);
    CHECK(s.send("00 C1 01 00 C0") == "00 82 00 82");
    CHECK(s.send("00 C1 01 FF 3F") == "00 82 00 82");
    CHECK(s.send("00 C1 00 C1") == "00 82 00 82");
    CHECK(s.t1.ifsd() == 254);
    // With IFSD 254 the 79-byte GET DATA response comes in one block.
    const Bytes block = s.t1.receive(fromHex("00 00 05 00 CA 01 06 4D 85"));
    CHECK(block.size() == 3 + 79 + 1);
    CHECK(toHex(Bytes(block.begin(), block.begin() + 3), ' ') == "00 00 4F");
}

TEST_CASE("card chaining by IFSD, R-block acknowledgements and retransmission") {
    Session s;
    const Bytes expected = s.card.process(fromHex("00 CA 01 06 4D")).encode();
    REQUIRE(expected.size() == 79);
    // GET DATA in I(0): LRC = 05^CA^01^06^4D = 85.
    const Bytes first = s.t1.receive(fromHex("00 00 05 00 CA 01 06 4D 85"));
    CHECK(toHex(Bytes(first.begin(), first.begin() + 3), ' ') == "00 20 20"); // I(0, M), 32 bytes
    CHECK(first.back() == T1Card::lrc(ByteView(first).first(first.size() - 1)));
    // R(N(R)=0): the host wants I(0) again (error bit or not).
    CHECK(s.t1.receive(fromHex("00 80 00 80")) == first);
    CHECK(s.t1.receive(fromHex("00 81 00 81")) == first);
    // R(N(R)=1) acknowledges I(0): next I(1, M).
    const Bytes second = s.t1.receive(fromHex("00 90 00 90"));
    CHECK(toHex(Bytes(second.begin(), second.begin() + 3), ' ') == "00 60 20");
    CHECK(s.t1.receive(fromHex("00 92 00 92")) == second); // N(R)=1 = N(S) of I(1): again
    const Bytes third = s.t1.receive(fromHex("00 80 00 80"));
    CHECK(toHex(Bytes(third.begin(), third.begin() + 3), ' ') == "00 00 0F"); // last, 15 bytes
    Bytes response;
    for (const Bytes* block : {&first, &second, &third}) {
        const Bytes part = informationOf(*block);
        response.insert(response.end(), part.begin(), part.end());
    }
    CHECK(response == expected);
    // R(N(R)=1) after the last block would acknowledge nothing: an error.
    CHECK(s.send("00 90 00 90") == "00 92 00 92");
    // The host's next I(1) goes on normally; the card answers I(1).
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 40 02 90 00 D2");
}

TEST_CASE("host chaining: R-blocks for M=1, then the answer") {
    Session s;
    // VERIFY 00 20 00 81 06 "123456" in two I-blocks.
    CHECK(s.send("00 20 04 00 20 00 81 85") == "00 90 00 90"); // I(0, M) → R(N(R)=1)
    // The host missed that R-block and asks again with R(N(R)=0): the card repeats it.
    CHECK(s.send("00 80 00 80") == "00 90 00 90");
    CHECK(s.send("00 40 07 06 31 32 33 34 35 36 46") == "00 00 02 90 00 92");
    CHECK(s.card.pinVerified());
}

TEST_CASE("a long command chained in small blocks") {
    Session s;
    const Bytes apdu = fromHex("00 2C 02 81 0C 31 32 33 34 35 36 37 38 39 30 31 32");
    int sequence = 0;
    for (std::size_t at = 0; at < apdu.size(); at += 4) {
        const ByteView part =
            ByteView(apdu).subspan(at, std::min<std::size_t>(4, apdu.size() - at));
        const bool more = at + 4 < apdu.size();
        const auto pcb = static_cast<std::uint8_t>(sequence << 6 | (more ? 0x20 : 0));
        sequence ^= 1;
        const Bytes answer = s.t1.receive(T1Card::frame(0x00, pcb, part, T1Edc::Lrc));
        if (more)
            CHECK(answer == T1Card::frame(0x00, static_cast<std::uint8_t>(0x80 | sequence << 4), {},
                                          T1Edc::Lrc));
        else
            CHECK(toHex(answer, ' ') == "00 00 02 69 82 E9"); // no authorization: 6982
    }
}

TEST_CASE("invalid blocks are answered by R-blocks with error bits") {
    Session s;
    CHECK(s.send("00 80 00 80") == "00 82 00 82"); // an R-block first: nothing to repeat
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 93") == "00 81 00 81"); // wrong LRC
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 92") == "00 82 00 82");    // LEN says more
    CHECK(s.send("00 00") == "00 82 00 82");
    CHECK(s.send("") == "00 82 00 82");
    CHECK(s.send("00 01 00 01") == "00 82 00 82");       // I-block with reserved bits
    CHECK(s.send("00 40 02 90 00 D2") == "00 82 00 82"); // N(S)=1, 0 expected
    CHECK(s.send("00 80 00 80") == "00 82 00 82");       // R-block: its last R-block again
    CHECK(s.send("00 A0 00 A0") == "00 82 00 82");       // R-block with bit 6 set
    CHECK(s.send("00 83 00 83") == "00 82 00 82");       // R-block error value 3
    CHECK(s.send("00 80 01 00 81") == "00 82 00 82");    // R-block with data
    CHECK(s.send("00 E1 01 20 C0") == "00 82 00 82");    // unrequested S(IFS response)
    CHECK(s.send("00 C3 01 01 C3") == "00 82 00 82");    // S(WTX request) from the host
    CHECK(s.send("00 FF 00 FF") == "00 82 00 82");
    // The card is still in step: I(0) works.
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
}

TEST_CASE("a retransmission request for the card's I-block after an error R-block") {
    Session s;
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 00") == "00 91 00 91"); // garbled: R(1, EDC)
    CHECK(s.send("00 80 00 80") == "00 00 02 90 00 92");                // host asks I(0) again
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 40 02 90 00 D2");
}

TEST_CASE("S(RESYNCH) resets both sequence numbers and IFSD") {
    Session s;
    CHECK(s.send("00 C1 01 FE 3E") == "00 E1 01 FE 1E");
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
    CHECK(s.send("00 C0 00 C0") == "00 E0 00 E0");
    CHECK(s.t1.ifsd() == 32);
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92");
    CHECK(s.send("00 C0 01 00 C1") == "00 92 00 92"); // RESYNCH carries no data
}

TEST_CASE("S(ABORT request) drops a chain in progress") {
    Session s;
    CHECK(s.send("00 20 04 00 20 00 81 85") == "00 90 00 90");
    CHECK(s.send("00 C2 00 C2") == "00 E2 00 E2");
    // The next command starts afresh (N(S) continues: I(1)).
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 00 02 90 00 92");
}

TEST_CASE("S(WTX request) before the answer when asked to") {
    Session s;
    s.t1.requestWtx(2, 3);
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 C3 01 03 C1");
    CHECK(s.send("00 80 00 80") == "00 C3 01 03 C1");                   // the host missed it: again
    CHECK(s.send("00 E3 01 01 E3") == "00 92 00 92");                   // wrong multiplier echoed
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 92 00 92"); // still waiting
    CHECK(s.send("00 E3 01 03 E1") == "00 00 02 90 00 92");
    CHECK(s.send("00 40 07 00 A4 00 0C 02 3F 00 D2") == "00 C3 01 03 C1");
    CHECK(s.send("00 E3 01 03 E1") == "00 40 02 90 00 D2");
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 92"); // no more WTX
    CHECK(s.send("00 E3 01 03 E1") == "00 92 00 92"); // unrequested WTX response
}

TEST_CASE("fault injection: a corrupted EDC, then the clean block on request") {
    Session s;
    s.t1.corruptNextBlocks(2);
    CHECK(s.send("00 00 07 00 A4 00 0C 02 3F 00 92") == "00 00 02 90 00 6D");
    CHECK(s.send("00 81 00 81") == "00 00 02 90 00 6D"); // still corrupted
    CHECK(s.send("00 81 00 81") == "00 00 02 90 00 92");
}

TEST_CASE("CRC framing") {
    VirtualCard card{demoCardSetup()};
    T1Card t1{card, T1Edc::Crc};
    const Bytes answer =
        t1.receive(T1Card::frame(0, 0, fromHex("00 A4 00 0C 02 3F 00"), T1Edc::Crc));
    CHECK(answer == T1Card::frame(0, 0, fromHex("90 00"), T1Edc::Crc));
    Bytes corrupted = T1Card::frame(0, 0x40, fromHex("00 A4 00 0C 02 3F 00"), T1Edc::Crc);
    corrupted.back() ^= 1;
    CHECK(t1.receive(corrupted) == T1Card::frame(0, 0x91, {}, T1Edc::Crc));
    // An LRC-framed block is one byte short for CRC.
    CHECK(t1.receive(fromHex("00 40 07 00 A4 00 0C 02 3F 00 D2")) ==
          T1Card::frame(0, 0x92, {}, T1Edc::Crc));
}

TEST_CASE("random blocks never break the card's framing") {
    Session s;
    std::mt19937 random(7);
    for (int i = 0; i < 3000; ++i) {
        Bytes block(random() % 12);
        for (auto& byte : block)
            byte = static_cast<std::uint8_t>(random() % 4 == 0 ? 0 : random());
        if (block.size() >= 3 && random() % 2) { // often well-formed, to reach deeper states
            block[2] = static_cast<std::uint8_t>(block.size() - 4 + (random() % 2));
            block.back() = T1Card::lrc(ByteView(block).first(block.size() - 1));
        }
        const Bytes answer = s.t1.receive(block);
        REQUIRE(answer.size() >= 4);
        REQUIRE(answer[2] + 4u == answer.size());
        REQUIRE(T1Card::lrc(answer) == 0);
    }
}
