#include "kamusm/card/akis.hpp"

#include <doctest/doctest.h>

#include <deque>

using namespace kamusm;
using namespace kamusm::card;

namespace {

// Answers each command with the next scripted response and records what was sent.
class ScriptedChannel : public iso7816::Channel {
public:
    std::deque<std::pair<std::string, std::string>> script; // expected command hex, response hex
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        REQUIRE(!script.empty());
        auto [expected, response] = script.front();
        script.pop_front();
        CHECK(toHex(command.encode()) == toHex(fromHex(expected)));
        co_return iso7816::ResponseApdu::decode(fromHex(response));
    }
    bool extendedApdus() const override { return false; }
};

iso7816::Atr atr(const char* hex) {
    return iso7816::parseAtr(fromHex(hex));
}

} // namespace

TEST_CASE("AKIS cards are recognised by their historical bytes") {
    CHECK(isAkisCard(atr("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B")));
    CHECK(isAkisCard(atr("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 12 31 80 73 B3 A1 80 EA")));
    CHECK(isAkisCard(atr("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 52 31 80 73 B3 A1 80 AA")));
    // The Turkish identity card shares the shape but not the "UEKAE" bytes.
    CHECK_FALSE(
        isAkisCard(atr("3B 9F 97 81 31 FE 45 80 65 54 43 12 21 08 31 C0 73 F6 21 80 81 05 9B")));
    CHECK_FALSE(isAkisCard(atr("3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE")));
}

TEST_CASE("PIN status words map to typed errors") {
    CHECK_NOTHROW(checkPinStatus(0x9000));
    try {
        checkPinStatus(0x63C1);
        FAIL("no error");
    } catch (const card::Error& error) {
        CHECK(error.code() == ErrorCode::WrongPin);
        CHECK(error.triesLeft() == 1);
    }
    const std::pair<std::uint16_t, ErrorCode> rows[] = {{0x6983, ErrorCode::PinBlocked},
                                                        {0x6984, ErrorCode::PinNotSet},
                                                        {0x6700, ErrorCode::PinFormat},
                                                        {0x6A80, ErrorCode::PinFormat},
                                                        {0x6F00, ErrorCode::UnexpectedStatus}};
    for (auto [sw, code] : rows) {
        try {
            checkPinStatus(sw);
            FAIL("no error");
        } catch (const card::Error& error) {
            CHECK(error.code() == code);
            CHECK(error.statusWord() == sw);
        }
    }
}

TEST_CASE("serial, PIN status, verify and change send the profile's APDUs") {
    ScriptedChannel channel;
    AkisCard card(channel);
    std::string serialData(55, '\x11');
    serialData += "123456789012";
    serialData.append(10, '\x22');
    channel.script = {
        {"00 CA 01 06 4D", toHex(Bytes(serialData.begin(), serialData.end())) + "9000"},
        {"00 20 00 81", "63C2"},
        {"00 20 00 81 06 313233343536", "9000"},
        {"00 24 01 81 0F 06 313233343536 07 39383736353433", "9000"},
        {"00 20 00 81", "6984"},
    };
    CHECK(runSync(card.readSerial()) == "123456789012");
    PinStatus status = runSync(card.pinStatus());
    CHECK(status.state == PinState::Set);
    CHECK(status.triesLeft == 2);
    runSync(card.verifyPin(Pin("123456")));
    runSync(card.changePin(Pin("123456"), Pin("9876543")));
    CHECK(runSync(card.pinStatus()).state == PinState::NotSet);
    CHECK(channel.script.empty());
}

namespace {

// A DER SEQUENCE of `size` bytes in all (long-form length 82 xx xx), filled with `fill`.
Bytes derOfSize(std::size_t size, std::uint8_t fill) {
    const std::size_t content = size - 4;
    Bytes der{0x30, 0x82, static_cast<std::uint8_t>(content >> 8),
              static_cast<std::uint8_t>(content)};
    der.resize(size, fill);
    return der;
}

std::string hexRange(const Bytes& bytes, std::size_t from, std::size_t count) {
    return toHex(ByteView(bytes).subspan(from, count));
}

} // namespace

TEST_CASE("a certificate is read by its DER length, each READ BINARY asking for what is left") {
    ScriptedChannel channel;
    AkisCard card(channel);
    const Bytes der = derOfSize(522, 0xAA);
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", hexRange(der, 0, 256) + "9000"},
        {"00 B0 01 00 00", hexRange(der, 256, 256) + "9000"},
        {"00 B0 02 00 0A", hexRange(der, 512, 10) + "9000"}, // Le = the 10 bytes left
    };
    CHECK(runSync(card.readCertificate(Certificate::Signing)) == der);
    CHECK(channel.script.empty());

    // An exact multiple of 256: no READ BINARY past the end (no 6B00 round).
    const Bytes even = derOfSize(512, 0xBB);
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", hexRange(even, 0, 256) + "9000"},
        {"00 B0 01 00 00", hexRange(even, 256, 256) + "9000"},
    };
    CHECK(runSync(card.readCertificate(Certificate::Signing)) == even);
    CHECK(channel.script.empty());

    // Shorter than one READ BINARY: the card's 6282 ends it, padding after the DER is dropped.
    const Bytes small = derOfSize(100, 0xCC);
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", toHex(small) + "FFFF6282"},
    };
    CHECK(runSync(card.readCertificate(Certificate::Signing)) == small);

    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F02", "6A82"},
    };
    CHECK_THROWS_AS(runSync(card.readCertificate(Certificate::Encryption)), card::Error);
}

TEST_CASE("a certificate file that is not DER, or shorter than its DER length, is malformed") {
    ScriptedChannel channel;
    AkisCard card(channel);
    const auto malformed = [&] {
        try {
            runSync(card.readCertificate(Certificate::Signing));
            FAIL("no error");
        } catch (const card::Error& error) {
            CHECK(error.code() == ErrorCode::MalformedData);
        }
        CHECK(channel.script.empty());
    };
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", toHex(Bytes(256, 0xFF)) + "9000"},
    };
    malformed();
    const Bytes der = derOfSize(600, 0xAA);
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", hexRange(der, 0, 256) + "9000"},
        {"00 B0 01 00 00", hexRange(der, 256, 40) + "6282"},
    };
    malformed();
    channel.script = {
        {"00 A4 04 0C 08 F04B414D55534D01", "9000"},
        {"00 A4 00 0C 02 2F01", "9000"},
        {"00 B0 00 00 00", "3083" + toHex(Bytes(254, 0)) + "9000"}, // a 3-byte length: too large
    };
    malformed();
}
