#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/error.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace kamusm;
using namespace kamusm::iso7816;

namespace {

const char* const akisV13 = "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B";

ErrorCode parseFailure(const std::string& hex) {
    try {
        parseAtr(fromHex(hex));
    } catch (const iso7816::Error& error) {
        return error.code();
    }
    FAIL("parsed: " << hex);
    return ErrorCode::UnexpectedStatus;
}

// The ISO 7816-3 inverse convention as a direct-convention UART sees it.
std::uint8_t toInverse(std::uint8_t byte) {
    std::uint8_t reversed = 0;
    for (int bit = 0; bit < 8; ++bit)
        if (byte & (1u << bit)) reversed = static_cast<std::uint8_t>(reversed | 0x80u >> bit);
    return static_cast<std::uint8_t>(~reversed);
}

std::string repeated(const std::string& byteHex, std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
        text += " " + byteHex;
    return text;
}

// Appends the TCK that makes the XOR of T0 .. TCK zero.
Bytes withTck(const std::string& hex) {
    Bytes atr = fromHex(hex);
    std::uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i)
        tck ^= atr[i];
    atr.push_back(tck);
    return atr;
}

} // namespace

TEST_CASE("the AKIS v1.3 ATR decodes fully") {
    const Atr atr = parseAtr(fromHex(akisV13));
    CHECK(atr.raw == fromHex(akisV13));
    CHECK(atr.convention == Convention::Direct);
    CHECK(atr.t0 == 0x9F);
    REQUIRE(atr.groups.size() == 3);
    CHECK(atr.groups[0].ta == 0x96);
    CHECK_FALSE(atr.groups[0].tb);
    CHECK_FALSE(atr.groups[0].tc);
    CHECK(atr.groups[0].td == 0x81);
    CHECK_FALSE(atr.groups[1].ta);
    CHECK(atr.groups[1].td == 0x31);
    CHECK(atr.groups[2].ta == 0xFE);
    CHECK(atr.groups[2].tb == 0x45);
    CHECK_FALSE(atr.groups[2].tc);
    CHECK_FALSE(atr.groups[2].td);
    CHECK(atr.historical == fromHex("80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80"));
    CHECK(atr.tck == 0x6B);
    CHECK(atr.tckStatus == TckStatus::Ok);

    CHECK(atr.ta1() == 0x96);
    CHECK(atr.fi() == 512);
    CHECK(atr.di() == 32);
    CHECK(atr.fmaxMhz() == doctest::Approx(5.0));
    CHECK(atr.protocols() == std::vector<int>{1});
    CHECK(atr.offers(1));
    CHECK_FALSE(atr.offers(0));
    CHECK(atr.tckRequired());
    CHECK_FALSE(atr.specificMode());
    CHECK_FALSE(atr.specificProtocol());
    CHECK(atr.extraGuardTime() == 0);
    CHECK(atr.wi() == 10);
    CHECK(atr.ifsc() == 254);
    CHECK(atr.bwi() == 4);
    CHECK(atr.cwi() == 5);
    CHECK_FALSE(atr.crc());
}

TEST_CASE("timing of the AKIS ATR at 4 MHz") {
    const Atr atr = parseAtr(fromHex(akisV13));
    const AtrTiming t = timing(atr, 512, 32, 4e6);
    CHECK(t.etuSeconds == doctest::Approx(4e-6));                // 512 / (32 · 4 MHz)
    CHECK(t.characterWaitSeconds == doctest::Approx(43 * 4e-6)); // (11 + 2^5) etu
    CHECK(t.blockWaitSeconds == doctest::Approx(44e-6 + 16 * 960 * 372 / 4e6)); // 1.428524 s
    CHECK(t.workWaitSeconds == doctest::Approx(10 * 960 * 512 / 4e6));          // 1.2288 s

    const AtrTiming slow = timing(atr, 372, 1, 4e6);
    CHECK(static_cast<int>(1 / slow.etuSeconds) == 10752); // default rate at 4 MHz
    CHECK(1 / t.etuSeconds == doctest::Approx(250000));    // TA1 96 at 4 MHz
    CHECK_THROWS_AS(timing(atr, 372, 0, 4e6), std::invalid_argument);
}

TEST_CASE("every AKIS ATR of references.md") {
    struct Case {
        const char* hex;
        std::uint8_t ta1;
        std::size_t historicalSize;
    };
    const Case cases[] = {
        {"3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE", 0x11, 10},
        {"3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 12 31 80 73 B3 A1 80 EA", 0x96, 15},
        {"3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 52 31 80 73 B3 A1 80 AA", 0x96, 15},
        {"3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 53 31 80 73 B3 A1 80 AB", 0x96, 15},
        {"3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 92 31 80 73 B3 A1 80 6A", 0x96, 15},
        {akisV13, 0x96, 15},
        {"3B 9F 15 81 31 FE 45 80 67 55 45 4B 41 45 12 21 31 80 73 B3 A1 80 5A", 0x15, 15},
    };
    for (const Case& c : cases) {
        CAPTURE(c.hex);
        const Atr atr = parseAtr(fromHex(c.hex));
        CHECK(atr.tckStatus == TckStatus::Ok);
        CHECK(atr.ta1() == c.ta1);
        CHECK(atr.protocols() == std::vector<int>{1});
        CHECK(atr.ifsc() == 254);
        CHECK(atr.historical.size() == c.historicalSize);
    }
    const Atr v10 = parseAtr(fromHex(cases[0].hex));
    CHECK(v10.fi() == 372);
    CHECK(v10.di() == 1);
    CHECK(v10.groups[0].tb == 0x00);
    CHECK(v10.bwi() == 4);
    CHECK(v10.cwi() == 13);
    CHECK(std::string(v10.historical.begin(), v10.historical.end()) == "UEKAE V1.0");
}

TEST_CASE("defaults without TA1 and TD1") {
    const Atr atr = parseAtr(fromHex("3B 02 14 50"));
    CHECK(atr.groups.size() == 1);
    CHECK(atr.protocols() == std::vector<int>{0});
    CHECK_FALSE(atr.tckRequired());
    CHECK(atr.tckStatus == TckStatus::Absent);
    CHECK_FALSE(atr.tck);
    CHECK_FALSE(atr.ta1());
    CHECK(atr.fi() == 372);
    CHECK(atr.di() == 1);
    CHECK(atr.fmaxMhz() == doctest::Approx(5.0));
    CHECK(atr.wi() == 10);
    CHECK(atr.ifsc() == 32);
    CHECK(atr.historical == fromHex("14 50"));
}

TEST_CASE("T=0 and T=1 with global bytes, specific mode, TC1, TC2, CRC") {
    // TA1 18, TC1 FF, TD1 C0 (T=0) → TC2 0C, TD2 91 (T=1) → TA3 20, TD3 61 (T=1) → TB4 25, TC4 01.
    const Atr parsed = parseAtr(withTck("3B D0 18 FF C0 0C 91 20 61 25 01"));
    CHECK(parsed.tckStatus == TckStatus::Ok);
    CHECK(parsed.extraGuardTime() == 255);
    CHECK(parsed.wi() == 0x0C);
    CHECK(parsed.protocols() == std::vector<int>{0, 1});
    CHECK(parsed.tckRequired());
    CHECK(parsed.ifsc() == 0x20);
    CHECK(parsed.bwi() == 2);
    CHECK(parsed.cwi() == 5);
    CHECK(parsed.crc());

    // TD1 announces T=1, TD2 T=15 (global bytes, not a protocol).
    const Atr global = parseAtr(withTck("3B 80 81 1F 01"));
    CHECK(global.protocols() == std::vector<int>{1});
    CHECK_FALSE(global.specificMode());

    // TA2 is the specific-mode byte, not a T=1 parameter even after TD1 announcing T=1.
    const Atr specific = parseAtr(withTck("3B 80 91 11 1F 01"));
    CHECK(specific.specificMode());
    CHECK(specific.specificProtocol() == 1);
    CHECK(specific.ifsc() == 32);
    CHECK(specific.protocols() == std::vector<int>{1});
}

TEST_CASE("RFU entries of TA1 give no Fi or Di") {
    const Atr atr = parseAtr(fromHex("3B 10 70"));
    CHECK_FALSE(atr.fi());
    CHECK_FALSE(atr.fmaxMhz());
    CHECK_FALSE(atr.di());
    CHECK(parseAtr(fromHex("3B 10 9A")).fi() == 512);
    CHECK_FALSE(parseAtr(fromHex("3B 10 9A")).di());
    CHECK(fiTable[0xD].fi == 2048);
    CHECK(fiTable[0xA].fmaxMhz == doctest::Approx(7.5));
    CHECK(diTable[8] == 12);
    CHECK(diTable[9] == 20);
}

TEST_CASE("a wrong TCK is reported, not thrown") {
    const Atr atr = parseAtr(fromHex("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 "
                                     "B3 A1 80 6C"));
    CHECK(atr.tckStatus == TckStatus::Wrong);
    CHECK(atr.tck == 0x6C);
}

TEST_CASE("inverse convention") {
    // As reported by PC/SC and CCID readers: TS 3F, the other bytes already decoded.
    const Atr decoded = parseAtr(fromHex("3F 65 25 00 2C 09 69 90 00"));
    CHECK(decoded.convention == Convention::Inverse);
    CHECK(decoded.raw == fromHex("3F 65 25 00 2C 09 69 90 00"));
    CHECK_FALSE(decoded.ta1());
    CHECK(decoded.groups[0].tb == 0x25);
    CHECK(decoded.groups[0].tc == 0x00);
    CHECK(decoded.historical == fromHex("2C 09 69 90 00"));

    // As captured on the line in direct convention: TS reads 03 and every byte is converted.
    CHECK(toInverse(0x3F) == 0x03);
    Bytes line;
    for (std::uint8_t byte : fromHex("3F 65 25 00 2C 09 69 90 00"))
        line.push_back(toInverse(byte));
    const Atr converted = parseAtr(line);
    CHECK(converted.convention == Convention::Inverse);
    CHECK(converted.raw == decoded.raw);
    CHECK(converted.historical == decoded.historical);
}

TEST_CASE("malformed ATRs throw MalformedAtr") {
    CHECK(parseFailure("") == ErrorCode::MalformedAtr);            // empty
    CHECK(parseFailure("3C 00") == ErrorCode::MalformedAtr);       // bad TS
    CHECK(parseFailure("3B") == ErrorCode::MalformedAtr);          // no T0
    CHECK(parseFailure("3B F0 11 00") == ErrorCode::MalformedAtr); // TC1, TD1 missing
    CHECK(parseFailure("3B 80 81") == ErrorCode::MalformedAtr);    // TD1 promises TD2
    CHECK(parseFailure("3B 9F 96 81 31 FE 45 80 67") == ErrorCode::MalformedAtr);    // historical
    CHECK(parseFailure(std::string(akisV13) + " 00") == ErrorCode::MalformedAtr);    // left over
    CHECK(parseFailure("3B 8F 01" + repeated("41", 31)) == ErrorCode::MalformedAtr); // 34 bytes
    try {
        parseAtr(fromHex("3B 9F 96 81 31 FE 45 80 67"));
    } catch (const iso7816::Error& error) {
        CHECK(std::string(error.what()).find("historical") != std::string::npos);
    }
}

TEST_CASE("33 bytes is the longest ATR") {
    // Four groups of interface bytes (15 bytes), 15 historical bytes and the TCK.
    const Bytes atr =
        withTck("3B FF 11 00 00 F1 FE 45 00 F1 20 45 00 71 FE 45 00" + repeated("41", 15));
    REQUIRE(atr.size() == 33);
    const Atr parsed = parseAtr(atr);
    CHECK(parsed.tckStatus == TckStatus::Ok);
    CHECK(parsed.groups.size() == 4);
    CHECK(parsed.ifsc() == 0x20); // TA3: TA2 after TD1 is the specific-mode byte
    CHECK(parsed.historical.size() == 15);
}

TEST_CASE("the pcsc-tools ATR list parses without crashing") {
    std::ifstream list("/usr/share/pcsc/smartcard_list.txt");
    REQUIRE(list.good());
    std::size_t total = 0, parsed = 0, tckOk = 0;
    for (std::string line; std::getline(list, line);) {
        if (line.empty() || line[0] == '#' || line[0] == '\t' || line[0] == ' ') continue;
        if (line.find_first_not_of("0123456789ABCDEFabcdef ") != std::string::npos) continue;
        ++total;
        try {
            const Atr atr = parseAtr(fromHex(line));
            ++parsed;
            if (atr.tckStatus != TckStatus::Wrong) ++tckOk;
            CHECK(atr.raw == fromHex(line));
        } catch (const iso7816::Error& error) {
            CHECK(error.code() == ErrorCode::MalformedAtr);
        }
    }
    MESSAGE("pcsc-tools list: " << parsed << " of " << total << " parse, " << tckOk
                                << " with a right or absent TCK");
    CHECK(total > 3000);
    CHECK(static_cast<double>(parsed) / static_cast<double>(total) > 0.95);
}
