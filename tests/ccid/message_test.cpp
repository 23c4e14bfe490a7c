// CCID bulk and interrupt messages, byte-exact against CCID Rev 1.1 §6.1-§6.3.
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/message.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::ccid;

namespace {

Bytes encoded(Message message, std::uint8_t bSeq) {
    message.bSeq = bSeq;
    return message.encode();
}

template <typename Call> void checkMalformed(Call&& call) {
    try {
        call();
        FAIL("no ccid::Error thrown");
    } catch (const ccid::Error& failure) {
        CHECK(failure.code() == ErrorCode::MalformedMessage);
    }
}

} // namespace

TEST_CASE("PC_to_RDR builders: header and bSpecific bytes per CCID §6.1") {
    // bMessageType, dwLength (LE), bSlot, bSeq, three specific bytes, abData.
    CHECK(encoded(iccPowerOn(0, Voltage::Automatic), 0) == fromHex("62 00000000 00 00 00 00 00"));
    CHECK(encoded(iccPowerOn(1, Voltage::V3_0), 7) == fromHex("62 00000000 01 07 02 00 00"));
    CHECK(encoded(iccPowerOn(0, Voltage::V5_0), 0) == fromHex("62 00000000 00 00 01 00 00"));
    CHECK(encoded(iccPowerOn(0, Voltage::V1_8), 0) == fromHex("62 00000000 00 00 03 00 00"));
    CHECK(encoded(iccPowerOff(0), 3) == fromHex("63 00000000 00 03 00 00 00"));
    CHECK(encoded(getSlotStatus(1), 0xFF) == fromHex("65 00000000 01 FF 00 00 00"));
    CHECK(encoded(getParameters(0), 4) == fromHex("6C 00000000 00 04 00 00 00"));
    CHECK(encoded(resetParameters(0), 5) == fromHex("6D 00000000 00 05 00 00 00"));
    CHECK(encoded(abort(0), 6) == fromHex("72 00000000 00 06 00 00 00"));
    CHECK(encoded(iccClock(0, false), 1) == fromHex("6E 00000000 00 01 00 00 00"));
    CHECK(encoded(iccClock(0, true), 1) == fromHex("6E 00000000 00 01 01 00 00"));
}

TEST_CASE("XfrBlock and Secure carry bBWI and wLevelParameter little-endian") {
    const Bytes apdu = fromHex("00 A4 04 00 02 3F 00");
    CHECK(encoded(xfrBlock(0, apdu), 9) == fromHex("6F 07000000 00 09 00 00 00 00A4040002 3F00"));
    CHECK(encoded(xfrBlock(0, apdu, 4, 0x0102), 9) ==
          fromHex("6F 07000000 00 09 04 02 01 00A4040002 3F00"));
    CHECK(encoded(xfrBlock(1, {}, 0, 0x0010), 2) == fromHex("6F 00000000 01 02 00 10 00"));
    const Bytes pinVerify = fromHex("00 00 82 04 00 00 00 00 00 00 00 00 00 00 00");
    CHECK(encoded(secure(0, pinVerify, 0, 0), 0x11) ==
          fromHex("69 0F000000 00 11 00 00 00 000082040000000000000000000000"));
}

TEST_CASE("SetParameters, Escape and SetDataRateAndClockFrequency") {
    const T1Parameters t1{0x96, 0x10, 0x00, 0x45, 0x00, 0xFE, 0x00};
    CHECK(encoded(setParameters(0, 1, t1.encode()), 2) ==
          fromHex("61 07000000 00 02 01 00 00 96 10 00 45 00 FE 00"));
    CHECK(encoded(setParameters(0, 0, T0Parameters{}.encode()), 2) ==
          fromHex("61 05000000 00 02 00 00 00 11 00 00 0A 00"));
    CHECK(encoded(escape(0, fromHex("E0 00 00 18 00")), 3) ==
          fromHex("6B 05000000 00 03 00 00 00 E0 00 00 18 00"));
    // dwClockFrequency 4800 kHz, dwDataRate 12903 bps.
    CHECK(encoded(setDataRateAndClockFrequency(0, 4800, 12903), 1) ==
          fromHex("73 08000000 00 01 00 00 00 C0120000 67320000"));
}

TEST_CASE("a long abData gets a four-byte dwLength") {
    const Bytes data(0x10203, 0xAB);
    const Bytes bytes = encoded(xfrBlock(0, data), 0);
    REQUIRE(bytes.size() == 10 + data.size());
    CHECK(Bytes(bytes.begin(), bytes.begin() + 5) == fromHex("6F 03 02 01 00"));
}

TEST_CASE("RDR_to_PC frames decode into header fields and abData") {
    SUBCASE("DataBlock with an ATR") {
        const Message m = Message::decode(fromHex("80 05000000 00 03 00 00 00 3B 02 14 50 AB"));
        CHECK(m.bMessageType == RDR_to_PC::DataBlock);
        CHECK(m.bSlot == 0);
        CHECK(m.bSeq == 3);
        CHECK(m.iccStatus() == IccStatus::PresentActive);
        CHECK(m.commandStatus() == CommandStatus::Processed);
        CHECK(m.bError() == 0);
        CHECK(m.bChainParameter() == 0);
        CHECK(m.abData == fromHex("3B 02 14 50 AB"));
        CHECK(m.encode() == fromHex("80 05000000 00 03 00 00 00 3B 02 14 50 AB"));
    }
    SUBCASE("SlotStatus: card absent, command failed with ICC_MUTE, clock stopped") {
        const Message m = Message::decode(fromHex("81 00000000 01 09 42 FE 01"));
        CHECK(m.bMessageType == RDR_to_PC::SlotStatus);
        CHECK(m.bSlot == 1);
        CHECK(m.iccStatus() == IccStatus::Absent);
        CHECK(m.commandStatus() == CommandStatus::Failed);
        CHECK(m.bError() == 0xFE);
        CHECK(m.bClockStatus() == 1);
        CHECK(m.abData.empty());
    }
    SUBCASE("DataBlock asking for time extension") {
        const Message m = Message::decode(fromHex("80 00000000 00 04 80 01 00"));
        CHECK(m.commandStatus() == CommandStatus::TimeExtension);
        CHECK(m.bError() == 1);
        CHECK(m.iccStatus() == IccStatus::PresentActive);
    }
    SUBCASE("Parameters for T=1 round-trips through T1Parameters") {
        const Message m =
            Message::decode(fromHex("82 07000000 00 05 00 00 01 11 10 00 4D 00 20 00"));
        CHECK(m.bProtocolNum() == 1);
        const T1Parameters t1 = T1Parameters::decode(m.abData);
        CHECK(t1.bmFindexDindex == 0x11);
        CHECK(t1.bmTCCKST1 == 0x10);
        CHECK(t1.bGuardTimeT1 == 0x00);
        CHECK(t1.bWaitingIntegerT1 == 0x4D);
        CHECK(t1.bClockStop == 0x00);
        CHECK(t1.bIFSC == 0x20);
        CHECK(t1.bNadValue == 0x00);
        CHECK(t1.encode() == m.abData);
    }
    SUBCASE("Parameters for T=0") {
        const T0Parameters t0 = T0Parameters::decode(fromHex("94 02 FF 0A 03"));
        CHECK(t0.bmFindexDindex == 0x94);
        CHECK(t0.bmTCCKST0 == 0x02);
        CHECK(t0.bGuardTimeT0 == 0xFF);
        CHECK(t0.bWaitingIntegerT0 == 0x0A);
        CHECK(t0.bClockStop == 0x03);
        CHECK(t0.encode() == fromHex("94 02 FF 0A 03"));
    }
}

TEST_CASE("malformed bulk messages throw MalformedMessage") {
    checkMalformed([] { Message::decode({}); });
    checkMalformed([] { Message::decode(fromHex("80 00000000 00 00 00")); }); // 9 bytes
    checkMalformed([] { Message::decode(fromHex("80 01000000 00 00 00 00 00")); });
    checkMalformed([] { Message::decode(fromHex("80 00000000 00 00 00 00 00 90")); });
    checkMalformed([] { Message::decode(fromHex("80 FFFFFFFF 00 00 00 00 00 90 00")); });
    checkMalformed([] { T0Parameters::decode(fromHex("11 00 00 0A")); });
    checkMalformed([] { T0Parameters::decode(fromHex("11 10 00 4D 00 20 00")); });
    checkMalformed([] { T1Parameters::decode(fromHex("11 00 00 0A 00")); });
    checkMalformed([] { T1Parameters::decode(fromHex("11 10 00 4D 00 20 00 00")); });
}

TEST_CASE("NotifySlotChange: two bits per slot, four slots per byte") {
    const InterruptMessage one = InterruptMessage::decode(fromHex("50 03"));
    CHECK(one.bMessageType == RDR_to_PC::NotifySlotChange);
    CHECK(one.cardPresent(0));
    CHECK(one.changed(0));
    CHECK_FALSE(one.cardPresent(1));
    CHECK_FALSE(one.cardPresent(4)); // beyond the bytes sent
    CHECK(one.encode() == fromHex("50 03"));

    // Slot 1 removed (changed, absent); slot 5 present, unchanged.
    const InterruptMessage many = InterruptMessage::decode(fromHex("50 08 04"));
    CHECK_FALSE(many.cardPresent(1));
    CHECK(many.changed(1));
    CHECK(many.cardPresent(5));
    CHECK_FALSE(many.changed(5));
    CHECK_FALSE(many.changed(0));
}

TEST_CASE("HardwareError interrupt message") {
    const InterruptMessage m = InterruptMessage::decode(fromHex("51 00 07 01"));
    CHECK(m.bMessageType == RDR_to_PC::HardwareError);
    CHECK(m.bSlot == 0);
    CHECK(m.bSeq == 7);
    CHECK(m.bHardwareErrorCode == 1); // overcurrent
    CHECK(m.encode() == fromHex("51 00 07 01"));
}

TEST_CASE("malformed interrupt messages throw MalformedMessage") {
    checkMalformed([] { InterruptMessage::decode({}); });
    checkMalformed([] { InterruptMessage::decode(fromHex("50")); });
    checkMalformed([] { InterruptMessage::decode(fromHex("51 00 07")); });
    checkMalformed([] { InterruptMessage::decode(fromHex("51 00 07 01 00")); });
    checkMalformed([] { InterruptMessage::decode(fromHex("80 03")); });
}
