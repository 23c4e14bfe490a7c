#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/tlv.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kamusm;
using namespace kamusm::iso7816;

namespace {

void checkMalformed(const std::string& hex) {
    CAPTURE(hex);
    try {
        parseBerTlv(fromHex(hex));
        FAIL("parsed");
    } catch (const iso7816::Error& error) {
        CHECK(error.code() == ErrorCode::MalformedTlv);
    }
}

} // namespace

TEST_CASE("BER-TLV: an FCI template with nested and multi-byte tags") {
    // 6F { 84 (DF name), A5 { 5F2D (language), 9F7F2A (3-byte tag) } }, then 00 padding.
    const Bytes fci = fromHex("6F 14 84 05 A0 00 00 01 67 A5 0B 5F 2D 02 74 72 9F 81 2A 02 01 02"
                              " 00 00");
    const std::vector<Tlv> objects = parseBerTlv(fci);
    REQUIRE(objects.size() == 1);
    const Tlv& root = objects[0];
    CHECK(root.tag == 0x6F);
    CHECK(root.constructed());
    REQUIRE(root.children.size() == 2);
    CHECK(root.find(0x84)->value == fromHex("A0 00 00 01 67"));
    CHECK_FALSE(root.find(0x84)->constructed());
    CHECK(root.find({0xA5, 0x5F2D})->value == fromHex("74 72"));
    CHECK(root.find({0xA5, 0x9F812A})->value == fromHex("01 02"));
    CHECK(root.find({}) == &root);
    CHECK(root.find(0x99) == nullptr);
    CHECK(root.find({0xA5, 0x84}) == nullptr);
    CHECK(findTlv(objects, {0x6F, 0xA5, 0x5F2D})->value == fromHex("74 72"));
    CHECK(findTlv(objects, {0xA5}) == nullptr);
    CHECK(root.encode() == Bytes(fci.begin(), fci.end() - 2));
}

TEST_CASE("BER-TLV: long lengths and encoding") {
    const Bytes value(300, 0x5A);
    const Bytes encoded = encodeTlv(0x53, value);
    CHECK(toHex(ByteView(encoded).first(4), ' ') == "53 82 01 2C");
    const std::vector<Tlv> parsed = parseBerTlv(encoded);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].value == value);

    CHECK(toHex(encodeTlv(0x80, Bytes(127, 0)), ' ').substr(0, 5) == "80 7F");
    CHECK(toHex(encodeTlv(0x80, Bytes(128, 0)), ' ').substr(0, 8) == "80 81 80");
    CHECK(toHex(encodeTlv(0x5F2D, fromHex("74 72")), ' ') == "5F 2D 02 74 72");
    CHECK(encodeTlv(0x9F812A, {}) == fromHex("9F 81 2A 00"));
    CHECK(parseBerTlv(fromHex("04 84 00 00 00 02 AA BB"))[0].value == fromHex("AA BB"));
    CHECK(parseBerTlv(fromHex("04 83 00 00 01 CC"))[0].value == fromHex("CC"));
    CHECK(parseBerTlv({}).empty());
    CHECK(parseBerTlv(fromHex("FF 00 FF")).empty()); // padding only
}

TEST_CASE("BER-TLV: malformed input throws MalformedTlv") {
    checkMalformed("84 05 A0 00");          // value past the end
    checkMalformed("84");                   // no length
    checkMalformed("5F");                   // tag cut short
    checkMalformed("9F 81 82 83 84 01 00"); // tag longer than 4 bytes
    checkMalformed("84 80 00 00");          // indefinite length
    checkMalformed("84 85 00 00 00 00 01"); // 5 length bytes
    checkMalformed("84 82 01");             // length bytes cut short
    checkMalformed("84 84 FF FF FF FF 00"); // 4 GB value
    checkMalformed("6F 03 84 05 00");       // child runs past its parent
    Bytes nested = {0x80, 0x00};            // 40 levels of A0 around it, 2 bytes each
    for (int level = 0; level < 40; ++level) {
        nested.insert(nested.begin(), {0xA0, static_cast<std::uint8_t>(nested.size())});
    }
    try {
        parseBerTlv(nested);
        FAIL("parsed");
    } catch (const iso7816::Error& error) {
        CHECK(error.code() == ErrorCode::MalformedTlv);
    }
}

TEST_CASE("COMPACT-TLV: the AKIS historical bytes, category 80") {
    const HistoricalBytes akis =
        parseHistoricalBytes(fromHex("80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80"));
    CHECK(akis.categoryIndicator == 0x80);
    REQUIRE(akis.objects.size() == 3);
    CHECK(akis.objects[0].tag == 6);
    CHECK(std::string(compactTagName(6)) == "pre-issuing data");
    CHECK(akis.objects[0].value == fromHex("55 45 4B 41 45 12 93")); // "UEKAE" + version
    CHECK(akis.objects[1].tag == 3);
    CHECK(akis.objects[1].value == fromHex("80"));
    CHECK(akis.objects[2].tag == 7);
    CHECK(std::string(compactTagName(7)) == "card capabilities");
    CHECK(akis.objects[2].value == fromHex("B3 A1 80"));
    CHECK_FALSE(akis.status);
}

TEST_CASE("COMPACT-TLV: status indicators and the other categories") {
    const HistoricalBytes withStatus = parseHistoricalBytes(fromHex("80 31 C0 82 90 00"));
    REQUIRE(withStatus.status);
    CHECK_FALSE(withStatus.status->lifeCycle);
    CHECK(withStatus.status->sw == 0x9000);
    CHECK(parseHistoricalBytes(fromHex("80 81 05")).status->lifeCycle == 0x05);

    const HistoricalBytes category00 = parseHistoricalBytes(fromHex("00 31 C0 05 90 00"));
    REQUIRE(category00.objects.size() == 1);
    CHECK(category00.objects[0].tag == 3);
    REQUIRE(category00.status);
    CHECK(category00.status->lifeCycle == 0x05);
    CHECK(category00.status->sw == 0x9000);

    CHECK(parseHistoricalBytes(fromHex("10 42")).dirDataReference == 0x42);

    for (const char* hex : {"", "55 45 4B 41 45", "81 00", "80 67 55 45", "00 90 00", "10",
                            "10 01 02", "80 84 01 02 03 04"}) {
        CAPTURE(hex);
        try {
            parseHistoricalBytes(fromHex(hex));
            FAIL("parsed");
        } catch (const iso7816::Error& error) {
            CHECK(error.code() == ErrorCode::MalformedTlv);
        }
    }
    CHECK(parseCompactTlv(fromHex("10 20")).size() == 2); // zero-length objects
}
