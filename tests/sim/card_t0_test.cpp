// T0Card: procedure bytes, 61xx + GET RESPONSE, 6Cxx, NULL bytes (ISO/IEC 7816-3 §10.3).
#include "kamusm/sim/card_t0.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace kamusm;
using namespace kamusm::sim;

namespace {

struct Session {
    VirtualCard card{demoCardSetup(CardProtocol::T0)};
    T0Card t0{card};

    std::string header(std::string_view hex) { return toHex(t0.onHeader(fromHex(hex)), ' '); }
    std::string data(std::string_view hex) { return toHex(t0.onData(fromHex(hex)), ' '); }
    // A whole exchange: header, data if the card ACKs, and GET RESPONSE after 61xx; the
    // response data + SW1 SW2 without procedure bytes.
    Bytes transmit(std::string_view headerHex, std::string_view dataHex = "") {
        Bytes answer = t0.onHeader(fromHex(headerHex));
        if (t0.awaitingData()) answer = t0.onData(fromHex(dataHex));
        if (answer.size() != 2 || answer[0] != 0x61) return answer;
        Bytes response = t0.onHeader(Bytes{0x00, 0xC0, 0x00, 0x00, answer[1]});
        response.erase(response.begin()); // the ACK
        return response;
    }
};

} // namespace

TEST_CASE("incoming data: ACK, then the status word") {
    Session s;
    CHECK(s.header("00 A4 00 0C 02") == "A4");
    CHECK(s.t0.awaitingData());
    CHECK(s.data("3F 00") == "90 00");
    CHECK_FALSE(s.t0.awaitingData());
    CHECK(s.header("00 A4 04 0C 08") == "A4");
    CHECK(s.data("F0 4B 41 4D 55 53 4D 01") == "90 00");
    CHECK(s.header("00 20 00 81 06") == "20");
    CHECK(s.data("31 32 33 34 35 36") == "90 00");
    CHECK(s.header("00 20 00 81 06") == "20");
    CHECK(s.data("31 32 33 34 35 35") == "63 C2");
}

TEST_CASE("case 1: P3=0 on an incoming command answers at once") {
    Session s;
    CHECK(s.header("00 20 00 81 00") == "63 C3");
    CHECK_FALSE(s.t0.awaitingData());
}

TEST_CASE("bad CLA and unknown INS are refused at the header") {
    Session s;
    CHECK(s.header("80 A4 00 0C 02") == "6E 00");
    CHECK_FALSE(s.t0.awaitingData());
    CHECK(s.header("00 FE 00 00 05") == "6D 00");
    CHECK(s.header("00 60 00 00 05") == "6D 00"); // an INS that would read as NULL
    CHECK_FALSE(s.t0.awaitingData());
}

TEST_CASE("case 4: 61xx, then GET RESPONSE in one or several parts, 6Cxx, 6985") {
    Session s;
    CHECK(s.header("00 A4 04 0C 08") == "A4");
    CHECK(s.data("F0 4B 41 4D 55 53 4D 01") == "90 00");
    CHECK(s.header("00 A4 00 00 02") == "A4");
    CHECK(s.data("2F 01") == "61 0D");
    const std::size_t size = demoSigningCertificate().size();
    const std::string fci =
        "62 0B 80 02 " +
        toHex(Bytes{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)}, ' ') +
        " 82 01 01 83 02 2F 01";
    CHECK(s.header("00 C0 00 00 20") == "6C 0D"); // more than there is
    CHECK(s.header("00 C0 00 01 0D") == "6A 86");
    CHECK(s.header("00 C0 00 00 05") == "C0 " + fci.substr(0, 14) + " 61 08");
    CHECK(s.header("00 C0 00 00 08") == "C0 " + fci.substr(15) + " 90 00");
    CHECK(s.header("00 C0 00 00 08") == "69 85"); // nothing left

    // Any other command drops a response not fetched.
    CHECK(s.header("00 A4 00 00 02") == "A4");
    CHECK(s.data("2F 01") == "61 0D");
    CHECK(s.header("00 20 00 81 00") == "63 C3");
    CHECK(s.header("00 C0 00 00 0D") == "69 85");
}

TEST_CASE("case 2: 61xx when P3 is right, 6Cxx when it is not") {
    Session s;
    CHECK(s.header("00 CA 01 06 00") == "6C 4D");
    CHECK(s.header("00 CA 01 06 10") == "6C 4D");
    CHECK(s.header("00 CA 01 06 4D") == "61 4D");
    const Bytes data = s.t0.onHeader(fromHex("00 C0 00 00 4D"));
    REQUIRE(data.size() == 1 + 77 + 2);
    CHECK(data.front() == 0xC0);
    CHECK(std::string(data.begin() + 1 + 55, data.begin() + 1 + 67) == "123456789012");
    CHECK(toHex(ByteView(data).last(2)) == "9000");
    CHECK(s.header("00 CA 01 07 4D") == "6A 88"); // errors come straight back
}

TEST_CASE("case 2 answered directly: ACK + data + SW1 SW2") {
    Session s;
    s.t0.setDirectCase2(true);
    const Bytes answer = s.t0.onHeader(fromHex("00 CA 01 06 4D"));
    REQUIRE(answer.size() == 1 + 77 + 2);
    CHECK(answer.front() == 0xCA);
    CHECK(toHex(ByteView(answer).last(2)) == "9000");
    CHECK(s.header("00 CA 01 06 00") == "6C 4D");
}

TEST_CASE("reading the certificate: 6Cxx for the last short chunk") {
    Session s;
    REQUIRE(toHex(s.transmit("00 A4 04 0C 08", "F0 4B 41 4D 55 53 4D 01")) == "9000");
    REQUIRE(toHex(s.transmit("00 A4 00 0C 02", "2F 01")) == "9000");
    const ByteView certificate = demoSigningCertificate();
    Bytes read;
    for (std::size_t offset = 0; offset < certificate.size(); offset += 256) {
        const Bytes header{0x00, 0xB0, static_cast<std::uint8_t>(offset >> 8),
                           static_cast<std::uint8_t>(offset), 0x00};
        Bytes answer = s.t0.onHeader(header);
        if (answer[0] == 0x6C) { // the last chunk: send again with the length the card has
            CHECK(answer[1] == certificate.size() - offset);
            Bytes again = header;
            again[4] = answer[1];
            answer = s.t0.onHeader(again);
        }
        REQUIRE(answer[0] == 0x61);
        Bytes chunk = s.t0.onHeader(Bytes{0x00, 0xC0, 0x00, 0x00, answer[1]});
        REQUIRE(chunk.front() == 0xC0);
        CHECK(toHex(ByteView(chunk).last(2)) == "9000");
        read.insert(read.end(), chunk.begin() + 1, chunk.end() - 2);
    }
    CHECK(read == Bytes(certificate.begin(), certificate.end()));
    const std::size_t end = certificate.size();
    CHECK(s.header(toHex(Bytes{0x00, 0xB0, static_cast<std::uint8_t>(end >> 8),
                               static_cast<std::uint8_t>(end), 0x00})) == "6B 00");
}

TEST_CASE("a 256-byte signature: 61 00 and GET RESPONSE with P3=00") {
    Session s;
    CHECK(toHex(s.transmit("00 20 00 81 06", "31 32 33 34 35 36")) == "9000");
    CHECK(toHex(s.transmit("00 22 41 B6 03", "84 01 01")) == "9000");
    CHECK(s.header("00 2A 9E 9A 33") == "2A");
    CHECK(s.data("3031300D060960864801650304020105000420" + std::string(64, 'A')) == "61 00");
    const Bytes signature = s.t0.onHeader(fromHex("00 C0 00 00 00"));
    CHECK(signature.size() == 1 + 256 + 2);
    CHECK(toHex(ByteView(signature).last(2)) == "9000");
}

TEST_CASE("the unblock flow over T=0") {
    Session s;
    const Bytes challenge = s.transmit("00 84 00 00 10");
    REQUIRE(challenge.size() == 18);
    const Bytes key = VirtualCard::deriveUnblockKey(s.card.setup().masterKey, "123456789012");
    const Bytes cryptogram =
        VirtualCard::unblockCryptogram(key, ByteView(challenge).first(16), "123456789012");
    CHECK(toHex(s.transmit("00 82 00 01 10", toHex(cryptogram))) == "9000");
    CHECK(toHex(s.transmit("00 2C 02 81 06", "39 38 37 36 35 34")) == "9000");
    CHECK(toHex(s.transmit("00 20 00 81 06", "39 38 37 36 35 34")) == "9000");
    CHECK(s.header("00 84 00 00 08") == "67 00");
}

TEST_CASE("NULL procedure bytes before the answer when asked for") {
    Session s;
    s.t0.sendNullBytes(2);
    CHECK(s.header("00 20 00 81 06") == "60 60 20");
    s.t0.sendNullBytes(1);
    CHECK(s.data("31 32 33 34 35 36") == "60 90 00");
    CHECK(s.header("00 20 00 81 00") == "90 00"); // used up
}

TEST_CASE("misuse of the interface is reported, and reset forgets everything") {
    Session s;
    CHECK_THROWS_AS(s.t0.onHeader(fromHex("00 A4 00 0C")), std::invalid_argument);
    CHECK_THROWS_AS(s.t0.onData(fromHex("3F 00")), std::logic_error);
    CHECK(s.header("00 A4 00 0C 02") == "A4");
    CHECK_THROWS_AS(s.t0.onData(fromHex("3F")), std::logic_error);
    CHECK(s.header("00 A4 00 00 02") == "A4");
    CHECK(s.data("3F 00") == "61 09");
    s.t0.reset();
    CHECK(s.header("00 C0 00 00 09") == "69 85");
}
