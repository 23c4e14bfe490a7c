// Byte-exact CCID conversations between ccid::Reader and a scripted device (fake_device.hpp).
// bSeq starts at 0 for a freshly opened reader, so every expected message spells its bSeq.
#include "ccid/fake_device.hpp"

#include "kamusm/ccid/reader.hpp"
#include "kamusm/ccid/t1.hpp"

#include <doctest/doctest.h>

#include <utility>

using namespace kamusm;
using namespace kamusm::ccid;
using kamusm::ccid::test::FakeDevice;

namespace {

const char* const akisAtr = "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B";

struct RecordingTrace : Trace {
    std::vector<std::pair<TraceKind, Bytes>> records;
    void record(TraceKind kind, ByteView bytes) override {
        records.emplace_back(kind, Bytes(bytes.begin(), bytes.end()));
    }
    std::vector<Bytes> of(TraceKind kind) const {
        std::vector<Bytes> out;
        for (const auto& [k, bytes] : records)
            if (k == kind) out.push_back(bytes);
        return out;
    }
};

std::unique_ptr<Reader> openReader(FakeDevice& device, std::string_view id,
                                   Trace* trace = nullptr) {
    test::setUp(device, id);
    return runSync(Reader::open(device, trace));
}

std::unique_ptr<Reader> openWith(FakeDevice& device, const ClassDescriptor& descriptor,
                                 bool interrupt = true) {
    device.configuration = test::configurationFor(descriptor, interrupt);
    return runSync(Reader::open(device));
}

// An RDR_to_PC message: type, slot, seq, bStatus, bError, byte 9, data.
Bytes rdr(std::uint8_t type, std::uint8_t seq, std::uint8_t bStatus, std::uint8_t bError,
          std::uint8_t b9, std::string_view data = "", std::uint8_t slot = 0) {
    return Message{type, slot, seq, {bStatus, bError, b9}, fromHex(data)}.encode();
}
Bytes dataBlock(std::uint8_t seq, std::string_view data = "", std::uint8_t chain = 0) {
    return rdr(0x80, seq, 0, 0, chain, data);
}
Bytes slotStatusReply(std::uint8_t seq, std::uint8_t bStatus = 0, std::uint8_t bError = 0) {
    return rdr(0x81, seq, bStatus, bError, 0);
}
Bytes parametersReply(std::uint8_t seq, std::uint8_t protocol, std::string_view data) {
    return rdr(0x82, seq, 0, 0, protocol, data);
}

// The IFSD 247 negotiation of a T=1 card at a TPDU reader without automatic IFSD.
void scriptIfsd(FakeDevice& device, std::uint8_t seq) {
    device.reply(dataBlock(seq, "00 E1 01 F7 17")); // S(IFS response) 247, LRC 17
}

template <typename F> ErrorCode ccidError(F&& f) {
    try {
        f();
    } catch (const ccid::Error& error) {
        return error.code();
    }
    FAIL("no ccid::Error thrown");
    return ErrorCode::NotCcid;
}

} // namespace

TEST_CASE("open reads the configuration descriptor of an opened device and claims the interface") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    CHECK(device.calls ==
          std::vector<std::string>{"open", "control 2 9", "control 2 93", "select 1", "claim 0"});
    CHECK(reader->interface().bulkIn == 2);
    CHECK(reader->interface().bulkOut == 2);
    CHECK(reader->interface().interruptIn == std::optional<std::uint8_t>(3));
    CHECK(reader->descriptor().dwFeatures == 0x000100B2);
    CHECK(reader->quirks().name == "ACS ACR39U ICC Reader");
    CHECK(reader->slotCount() == 1);

    runSync(reader->close());
    CHECK(device.calls.back() == "close");
    CHECK(device.calls[device.calls.size() - 2] == "release 0");
}

TEST_CASE("open: a device without a CCID interface is NotCcid and is closed again") {
    FakeDevice device;
    device.configuration = fromHex("09 02 2000 01 01 00 80 32 09 04 00 00 02 08 06 50 00"
                                   "07 05 01 02 4000 00 07 05 81 02 4000 00");
    CHECK(ccidError([&] { runSync(Reader::open(device)); }) == ErrorCode::NotCcid);
    CHECK(device.calls.back() == "close");
}

TEST_CASE("open: usb errors such as AccessDenied propagate") {
    FakeDevice device;
    test::setUp(device, "acr39u");
    device.claimError = usb::ErrorCode::AccessDenied;
    try {
        runSync(Reader::open(device));
        FAIL("open succeeded");
    } catch (const usb::Error& error) {
        CHECK(error.code() == usb::ErrorCode::AccessDenied);
    }
    CHECK(device.calls.back() == "close");
}

TEST_CASE("quirks: table rows by VID/PID, none for unknown devices") {
    CHECK(quirksFor({0x072F, 0xB100, 0x0216, "", "", ""}).name == "ACS ACR39U ICC Reader");
    CHECK(quirksFor({0x0B97, 0x7762, 0x0100, "", "", ""}).maxDataRate == 9600u);
    CHECK(quirksFor({0x09BE, 0x0002, 0x0100, "", "", ""}).maxIfsd == 254u);
    const Quirks none = quirksFor({0x1234, 0x5678, 0x0100, "", "", ""});
    CHECK(none.name.empty());
    CHECK_FALSE(none.maxDataRate);
}

TEST_CASE("exchange: bSeq increments and wraps after 255, statistics and trace count") {
    FakeDevice device;
    RecordingTrace trace;
    const auto reader = openReader(device, "acr39u", &trace);
    for (int i = 0; i < 257; ++i)
        device.reply(slotStatusReply(static_cast<std::uint8_t>(i)));
    for (int i = 0; i < 257; ++i)
        CHECK(runSync(reader->slotStatus(0)) == IccStatus::PresentActive);
    CHECK(device.sent[0] == fromHex("65 00000000 00 00 000000"));
    CHECK(device.sent[1] == fromHex("65 00000000 00 01 000000"));
    CHECK(device.sent[255] == fromHex("65 00000000 00 FF 000000"));
    CHECK(device.sent[256] == fromHex("65 00000000 00 00 000000"));
    CHECK(reader->statistics().messagesOut == 257);
    CHECK(reader->statistics().messagesIn == 257);
    CHECK(reader->statistics().bytesOut == 2570);
    CHECK(trace.of(TraceKind::CcidOut).size() == 257);
    CHECK(trace.of(TraceKind::CcidIn)[0] == slotStatusReply(0));
}

TEST_CASE("exchange: stale replies (old bSeq, other slot, empty packet) are dropped, boundedly") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0xF0, "01"));          // a late reply to an earlier command
    device.reply(rdr(0x80, 0, 0, 0, 0, "02", 1)); // right bSeq, other slot
    device.reply(Bytes{});                        // a zero-length packet
    device.reply(dataBlock(0, "90 00"));
    const Message reply =
        runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(500)));
    CHECK(reply.abData == fromHex("90 00"));

    for (int i = 0; i < 9; ++i)
        device.reply(dataBlock(0x77));
    CHECK(ccidError([&] {
              runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(500)));
          }) == ErrorCode::MalformedMessage);
}

TEST_CASE("exchange: time extension waits again with timeout x bError, boundedly") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(rdr(0x80, 0, 0x80, 3, 0));
    device.reply(rdr(0x80, 0, 0x80, 0, 0)); // multiplier 0 counts as 1
    device.reply(dataBlock(0, "90 00"));
    const Message reply =
        runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(1000)));
    CHECK(reply.abData == fromHex("90 00"));
    CHECK(device.inTimeouts == std::vector<long>{1000, 3000, 1000});

    for (int i = 0; i < 257; ++i)
        device.reply(rdr(0x80, 1, 0x80, 1, 0));
    CHECK(ccidError([&] {
              runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(10)));
          }) == ErrorCode::Timeout);
}

TEST_CASE("exchange: each bError becomes its typed error; no card is CardAbsent") {
    const std::vector<std::pair<std::uint8_t, ErrorCode>> table{
        {0xFF, ErrorCode::CommandAborted},
        {0xFE, ErrorCode::CardMute},
        {0xFD, ErrorCode::ParityError},
        {0xFC, ErrorCode::Overrun},
        {0xFB, ErrorCode::HardwareError},
        {0xF8, ErrorCode::BadAtr},
        {0xF7, ErrorCode::BadAtr},
        {0xF6, ErrorCode::ProtocolNotSupported},
        {0xF5, ErrorCode::ClassNotSupported},
        {0xF4, ErrorCode::ProcedureByteConflict},
        {0xF3, ErrorCode::DeactivatedProtocol},
        {0xF2, ErrorCode::Busy},
        {0xF0, ErrorCode::PinTimeout},
        {0xEF, ErrorCode::PinCancelled},
        {0xE0, ErrorCode::Busy},
        {0x00, ErrorCode::CommandNotSupported},
        {0x07, ErrorCode::BadParameter},
    };
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    std::uint8_t seq = 0;
    for (const auto& row : table) {
        const std::uint8_t bError = row.first;
        const ErrorCode code = row.second;
        CAPTURE(int(bError));
        device.reply(rdr(0x80, seq++, 0x41, bError, 0));
        try {
            runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
            FAIL("no error");
        } catch (const ccid::Error& error) {
            CHECK(error.code() == code);
            CHECK(error.bError() == std::optional<std::uint8_t>(bError));
        }
    }
    device.reply(rdr(0x80, seq++, 0x42, 0xFE, 0));
    CHECK(ccidError([&] {
              runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
          }) == ErrorCode::CardAbsent);
}

TEST_CASE("exchange: wrong reply type, undecodable reply, usb failures") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    const auto xfr = [&] {
        runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
    };
    device.reply(slotStatusReply(0)); // SlotStatus for an XfrBlock
    CHECK(ccidError(xfr) == ErrorCode::MalformedMessage);
    device.reply("80 05000000 00 01 00 00 00 01"); // dwLength says 5, one byte follows
    CHECK(ccidError(xfr) == ErrorCode::MalformedMessage);
    device.reply("80 00");
    CHECK(ccidError(xfr) == ErrorCode::MalformedMessage);

    CHECK(ccidError(xfr) == ErrorCode::Timeout); // nothing scripted: the transfer times out
    device.fail(usb::ErrorCode::Stall);
    CHECK(ccidError(xfr) == ErrorCode::HardwareError);
    CHECK(device.calls.back() == "clearHalt in 2");
    device.fail(usb::ErrorCode::Disconnected);
    CHECK_THROWS_AS(xfr(), usb::Error);

    device.outError = usb::ErrorCode::Stall;
    CHECK(ccidError(xfr) == ErrorCode::HardwareError);
    CHECK(device.calls.back() == "clearHalt out 2");
}

TEST_CASE("exchange: a reply split over two transfers at a packet boundary is joined") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    const std::size_t packet = reader->interface().bulkInMaxPacketSize;
    const Bytes data(100, 0x5A);
    const Bytes whole = dataBlock(0, toHex(data) + " 90 00");
    REQUIRE(whole.size() > packet);
    device.reply(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(packet)));
    device.reply(Bytes(whole.begin() + static_cast<std::ptrdiff_t>(packet), whole.end()));
    const Message reply =
        runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
    CHECK(reply.abData.size() == 102);

    device.reply(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(packet)));
    CHECK(ccidError([&] { // and then nothing
              runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
          }) == ErrorCode::MalformedMessage);
}

// Found by the fault campaign: a reply cut short, then another message whose bytes made up the
// missing length, were joined into a reply with a made-up status word.
TEST_CASE("exchange: a reply cut short is refused, not completed by the next message") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    const Bytes whole = dataBlock(0, "01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 90 00");
    const Bytes half(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(whole.size() / 2));
    device.reply(half); // 14 bytes: a short packet, and 4 of its 18 data bytes
    device.reply(half); // the same again (a duplicate), which would fill the 14 missing
    CHECK(ccidError([&] {
              runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100)));
          }) == ErrorCode::MalformedMessage);
}

TEST_CASE("connect: AKIS at the ACR39U - SetParameters, IFSD 247, then APDUs in T=1 blocks") {
    FakeDevice device;
    RecordingTrace trace;
    const auto reader = openReader(device, "acr39u", &trace);
    device.reply(dataBlock(0, akisAtr));
    device.reply(parametersReply(1, 1, "96 10 00 45 00 FE 00"));
    scriptIfsd(device, 2);
    const auto session = runSync(reader->connect(0));

    REQUIRE(device.sent.size() == 3);
    CHECK(device.sent[0] == fromHex("62 00000000 00 00 01 0000")); // 5 V first
    // CCID §6.1.7: bProtocolNum 1; Fi/Di 96, T=1 LRC direct, no extra guard time, BWI 4 CWI 5,
    // no clock stop, IFSC 254, NAD 0. The ACR39U (dwFeatures 0x80) sends the PPS itself.
    CHECK(device.sent[1] == fromHex("61 07000000 00 01 01 0000 96 10 00 45 00 FE 00"));
    CHECK(device.sent[2] == fromHex("6F 05000000 00 02 00 0000 00 C1 01 F7 37"));
    CHECK(session->protocol() == 1);
    CHECK(session->fidi() == 0x96);
    CHECK(session->ifsd() == 247);
    CHECK(session->atr().raw == fromHex(akisAtr));
    CHECK(session->extendedApdus());
    // 260 EGT + BWT + 260 CWT + 1 s at 4.8 MHz, Fi 512, Di 32: 10.4 + 1190.4 + 37.3 + 1000 ms.
    CHECK(device.inTimeouts.back() == 2239);

    const Bytes serial = fromHex("31 32 33 34 35 36 37 38 39 30 31 32 90 00");
    device.reply(dataBlock(3, toHex(t1::frame(0, 0x00, serial, t1::Edc::Lrc))));
    const iso7816::ResponseApdu response =
        runSync(session->transmitRaw(iso7816::CommandApdu::decode(fromHex("00 CA 01 06 4D"))));
    CHECK(device.sent[3] == fromHex("6F 09000000 00 03 00 0000 00 00 05 00 CA 01 06 4D 85"));
    CHECK(response.sw() == 0x9000);
    CHECK(response.data == fromHex("31 32 33 34 35 36 37 38 39 30 31 32"));
    CHECK(trace.of(TraceKind::ApduCommand).back() == fromHex("00 CA 01 06 4D"));
    CHECK(trace.of(TraceKind::ApduResponse).back() == serial);
    CHECK(trace.of(TraceKind::T1Out).back() == fromHex("00 00 05 00 CA 01 06 4D 85"));

    device.reply(slotStatusReply(4, 0x01));
    runSync(session->powerOff());
    CHECK(device.sent[4] == fromHex("63 00000000 00 04 000000"));
}

TEST_CASE("connect: voltage fallback 5 V mute, power off, 3 V answers") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(rdr(0x80, 0, 0x41, 0xFE, 0)); // ICC_MUTE at 5 V
    device.reply(slotStatusReply(1, 0x01));
    device.reply(dataBlock(2, akisAtr));
    device.reply(parametersReply(3, 1, "96 10 00 45 00 FE 00"));
    scriptIfsd(device, 4);
    runSync(reader->connect(0));
    CHECK(device.sent[0] == fromHex("62 00000000 00 00 01 0000"));
    CHECK(device.sent[1] == fromHex("63 00000000 00 01 000000"));
    CHECK(device.sent[2] == fromHex("62 00000000 00 02 02 0000"));
}

TEST_CASE("connect: mute at every voltage is CardMute; an empty slot is CardAbsent at once") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(rdr(0x80, 0, 0x41, 0xFE, 0));
    device.reply(slotStatusReply(1, 0x01));
    device.reply(rdr(0x80, 2, 0x41, 0xF5, 0)); // class not supported at 3 V
    device.reply(slotStatusReply(3, 0x01));
    device.reply(rdr(0x80, 4, 0x41, 0xFE, 0));
    CHECK(ccidError([&] { runSync(reader->connect(0)); }) == ErrorCode::CardMute);
    CHECK(device.sent[4] == fromHex("62 00000000 00 04 03 0000")); // 1.8 V last

    FakeDevice empty;
    const auto reader2 = openReader(empty, "acr39u");
    empty.reply(rdr(0x80, 0, 0x42, 0xFE, 0));
    CHECK(ccidError([&] { runSync(reader2->connect(0)); }) == ErrorCode::CardAbsent);
    CHECK(empty.sent.size() == 1);
}

TEST_CASE("connect: an ATR that does not parse is BadAtr") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, "3B 9F 96")); // truncated
    CHECK(ccidError([&] { runSync(reader->connect(0)); }) == ErrorCode::BadAtr);
    Bytes wrongTck = fromHex(akisAtr);
    wrongTck.back() ^= 0x01;
    device.reply(dataBlock(1, toHex(wrongTck)));
    CHECK(ccidError([&] { runSync(reader->connect(0)); }) == ErrorCode::BadAtr);
}

TEST_CASE("connect: a TPDU reader without automatic PPS gets the PPS from the host") {
    FakeDevice device;
    test::setUp(device, "acr39u");
    ClassDescriptor descriptor = test::knownDescriptor("acr39u");
    descriptor.dwFeatures = 0x00010032; // no 0x80
    const auto reader = openWith(device, descriptor);

    device.reply(dataBlock(0, akisAtr));
    device.reply(dataBlock(1, "FF 11 96 78")); // the card echoes the PPS
    device.reply(parametersReply(2, 1, "96 10 00 45 00 FE 00"));
    scriptIfsd(device, 3);
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent[1] == fromHex("6F 04000000 00 01 00 0000 FF 11 96 78"));
    CHECK(device.sent[2] == fromHex("61 07000000 00 02 01 0000 96 10 00 45 00 FE 00"));
    CHECK(session->fidi() == 0x96);

    SUBCASE("a PPS response without PPS1 keeps the default rate") {
        FakeDevice other;
        test::setUp(other, "acr39u");
        const auto reader2 = openWith(other, descriptor);
        other.reply(dataBlock(0, akisAtr));
        other.reply(dataBlock(1, "FF 01 FE"));
        other.reply(parametersReply(2, 1, "11 10 00 45 00 FE 00"));
        scriptIfsd(other, 3);
        CHECK(runSync(reader2->connect(0))->fidi() == 0x11);
        CHECK(other.sent[2] == fromHex("61 07000000 00 02 01 0000 11 10 00 45 00 FE 00"));
    }
    SUBCASE("a PPS answered with another rate is refused") {
        FakeDevice other;
        test::setUp(other, "acr39u");
        const auto reader2 = openWith(other, descriptor);
        other.reply(dataBlock(0, akisAtr));
        other.reply(dataBlock(1, "FF 11 95 7B"));
        CHECK(ccidError([&] { runSync(reader2->connect(0)); }) == ErrorCode::ProtocolError);
    }
}

TEST_CASE("connect: TA1 is lowered step by step when the reader is too slow") {
    const auto fidiAt = [](std::uint32_t maxRate) {
        FakeDevice device;
        test::setUp(device, "acr39u");
        ClassDescriptor descriptor = test::knownDescriptor("acr39u");
        descriptor.dwMaxDataRate = maxRate;
        const auto reader = openWith(device, descriptor);
        device.reply(dataBlock(0, akisAtr));
        device.reply(parametersReply(1, 1, "11 10 00 45 00 FE 00"));
        scriptIfsd(device, 2);
        runSync(reader->connect(0));
        return device.sent[1][10]; // bmFindexDindex as sent in SetParameters
    };
    // 4.8 MHz: TA1 96 = 300000 bps, 95 = 150000, 94 = 75000.
    CHECK(fidiAt(826000) == 0x96);
    CHECK(fidiAt(200000) == 0x95);
    CHECK(fidiAt(100000) == 0x94);
    CHECK(fidiAt(20000) == 0x11);
}

TEST_CASE("connect: a reader that lists its data rates gets a listed rate") {
    ClassDescriptor descriptor = test::knownDescriptor("acr39u");
    descriptor.bNumDataRatesSupported = 3;
    const auto fidiWith = [&](std::optional<Bytes> rates) {
        FakeDevice device;
        test::setUp(device, "acr39u");
        device.dataRates = std::move(rates);
        const auto reader = openWith(device, descriptor);
        device.reply(dataBlock(0, akisAtr));
        device.reply(parametersReply(1, 1, "11 10 00 45 00 FE 00"));
        scriptIfsd(device, 2);
        runSync(reader->connect(0));
        CHECK(device.calls.back() == "class 3 12"); // GET_DATA_RATES, 3 rates of 4 bytes
        return device.sent[1][10];
    };
    // 12903, 150000 and 600000 bps: 300000 (TA1 96) is not listed, 150000 (95) is.
    CHECK(fidiWith(fromHex("67320000 F0490200 C0270900")) == 0x95);
    // WebUSB refuses class requests to a smart-card interface: dwMaxDataRate alone decides.
    CHECK(fidiWith(std::nullopt) == 0x96);
}

TEST_CASE("connect: an auto-PPS reader that refuses TA1 is asked for the default rate") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, akisAtr));
    device.reply(rdr(0x82, 1, 0x41, 0x0A, 0x01)); // bError 10: abData[0], bmFindexDindex
    device.reply(parametersReply(2, 1, "11 10 00 45 00 FE 00"));
    scriptIfsd(device, 3);
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent[1] == fromHex("61 07000000 00 01 01 0000 96 10 00 45 00 FE 00"));
    CHECK(device.sent[2] == fromHex("61 07000000 00 02 01 0000 11 10 00 45 00 FE 00"));
    CHECK(session->fidi() == 0x11);
}

TEST_CASE("connect: negotiateRate false keeps the default rate") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, akisAtr));
    device.reply(parametersReply(1, 1, "11 10 00 45 00 FE 00"));
    scriptIfsd(device, 2);
    const auto session = runSync(reader->connect(0, ConnectOptions{false}));
    CHECK(device.sent[1] == fromHex("61 07000000 00 01 01 0000 11 10 00 45 00 FE 00"));
    CHECK(session->fidi() == 0x11);
}

TEST_CASE("connect: T=0 card at a TPDU reader - T=0 SetParameters and TPDUs") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, "3B 00"));
    device.reply(parametersReply(1, 0, "11 00 00 0A 00"));
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent[1] == fromHex("61 05000000 00 01 00 0000 11 00 00 0A 00"));
    CHECK(session->protocol() == 0);
    CHECK_FALSE(session->extendedApdus());

    device.reply(dataBlock(2, "01 02 90 00"));
    const auto response =
        runSync(session->transmitRaw(iso7816::CommandApdu::decode(fromHex("00 CA 01 06 02"))));
    CHECK(device.sent[2] == fromHex("6F 05000000 00 02 00 0000 00 CA 01 06 02"));
    CHECK(response.data == fromHex("01 02"));
    CHECK(response.sw() == 0x9000);
}

TEST_CASE("connect: short-APDU reader with automatic negotiation reads GetParameters") {
    FakeDevice device;
    const auto reader = openReader(device, "connect2sign");
    device.reply(dataBlock(0, akisAtr));
    device.reply(parametersReply(1, 1, "96 10 00 45 00 FE 00"));
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent[0] == fromHex("62 00000000 00 00 00 0000")); // automatic voltage
    CHECK(device.sent[1] == fromHex("6C 00000000 00 01 000000"));
    CHECK(session->fidi() == 0x96);
    CHECK_FALSE(session->extendedApdus());

    device.reply(dataBlock(2, "31 32 90 00"));
    const auto response =
        runSync(session->transmitRaw(iso7816::CommandApdu::decode(fromHex("00 CA 01 06 4D"))));
    CHECK(device.sent[2] == fromHex("6F 05000000 00 02 00 0000 00 CA 01 06 4D"));
    CHECK(response.data == fromHex("31 32"));

    iso7816::CommandApdu extended{0x00, 0xDA, 0x01, 0x02, Bytes(300, 0xAB), std::nullopt};
    CHECK(ccidError([&] { runSync(session->transmitRaw(extended)); }) == ErrorCode::Unsupported);
}

TEST_CASE("connect: extended-APDU reader - command chunks and chained response") {
    FakeDevice device;
    const auto reader = openReader(device, "extended");
    REQUIRE(reader->descriptor().dwMaxCCIDMessageLength == 272);
    device.reply(dataBlock(0, akisAtr));
    device.reply(parametersReply(1, 1, "96 10 00 45 00 FE 00"));
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent.size() == 2); // automatic IFSD: no S(IFS) from the host
    CHECK(session->extendedApdus());

    const iso7816::CommandApdu command{0x00, 0xDA, 0x01, 0x02, Bytes(300, 0xAB), std::nullopt};
    const Bytes encoded = command.encode(); // 00 DA 01 02 00 01 2C + 300 bytes
    REQUIRE(encoded.size() == 307);
    device.reply(dataBlock(2, "", 0x10));
    device.reply(dataBlock(3, "AA BB", 0x01));
    device.reply(dataBlock(4, "CC 90 00", 0x02));
    const auto response = runSync(session->transmitRaw(command));

    Bytes first = fromHex("6F 06010000 00 02 00 0100");
    first.insert(first.end(), encoded.begin(), encoded.begin() + 262);
    Bytes second = fromHex("6F 2D000000 00 03 00 0200");
    second.insert(second.end(), encoded.begin() + 262, encoded.end());
    CHECK(device.sent[2] == first);
    CHECK(device.sent[3] == second);
    CHECK(device.sent[4] == fromHex("6F 00000000 00 04 00 1000"));
    CHECK(response.data == fromHex("AA BB CC"));
    CHECK(response.sw() == 0x9000);

    // A card that refuses the command early: the reader answers the first chunk with the SW.
    device.reply(dataBlock(5, "67 00", 0x00));
    CHECK(runSync(session->transmitRaw(command)).sw() == 0x6700);
    CHECK(device.sent.size() == 6);
}

TEST_CASE("connect: a character-level reader is Unsupported, a missing slot BadParameter") {
    FakeDevice device;
    test::setUp(device, "acr39u");
    ClassDescriptor descriptor = test::knownDescriptor("acr39u");
    descriptor.dwFeatures = 0x000000B2;
    const auto reader = openWith(device, descriptor);
    CHECK(ccidError([&] { runSync(reader->connect(0)); }) == ErrorCode::Unsupported);
    CHECK(ccidError([&] { runSync(reader->connect(1)); }) == ErrorCode::BadParameter);
    CHECK(device.sent.empty());
}

TEST_CASE("pollSlotChanges: NotifySlotChange, HardwareError, timeout") {
    FakeDevice device;
    RecordingTrace trace;
    const auto reader = openReader(device, "twoslot", &trace);
    REQUIRE(reader->slotCount() == 2);
    device.interruptIn.emplace_back(fromHex("50 0E")); // slot 0 removed, slot 1 inserted
    const auto events = runSync(reader->pollSlotChanges(usb::Milliseconds(100)));
    REQUIRE(events.size() == 2);
    CHECK(events[0].slot == 0);
    CHECK_FALSE(events[0].cardPresent);
    CHECK(events[0].changed);
    CHECK(events[1].slot == 1);
    CHECK(events[1].cardPresent);
    CHECK(events[1].changed);
    CHECK(trace.of(TraceKind::InterruptIn).back() == fromHex("50 0E"));

    CHECK(runSync(reader->pollSlotChanges(usb::Milliseconds(100))).empty()); // timeout

    device.interruptIn.emplace_back(fromHex("51 00 05 01"));
    CHECK(ccidError([&] { runSync(reader->pollSlotChanges(usb::Milliseconds(100))); }) ==
          ErrorCode::HardwareError);
}

TEST_CASE("pollSlotChanges without an interrupt endpoint asks GetSlotStatus") {
    FakeDevice device;
    test::setUp(device, "acr39u");
    const auto reader = openWith(device, test::knownDescriptor("acr39u"), false);
    REQUIRE_FALSE(reader->interface().interruptIn);
    device.reply(slotStatusReply(0, 0x01));
    const auto events = runSync(reader->pollSlotChanges(usb::Milliseconds(100)));
    REQUIRE(events.size() == 1);
    CHECK(events[0].cardPresent);
    CHECK(events[0].changed);
    device.reply(slotStatusReply(1, 0x01));
    CHECK(runSync(reader->pollSlotChanges(usb::Milliseconds(100))).empty());
    device.reply(slotStatusReply(2, 0x42, 0xFE)); // removed: ICC_MUTE with no card is a status
    const auto removed = runSync(reader->pollSlotChanges(usb::Milliseconds(100)));
    REQUIRE(removed.size() == 1);
    CHECK_FALSE(removed[0].cardPresent);
    CHECK(device.sent[2] == fromHex("65 00000000 00 02 000000"));
}

TEST_CASE("random replies never crash or hang: each exchange returns or throws a typed error") {
    std::uint32_t state = 12345; // xorshift: the same bytes on every run
    const auto next = [&] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return static_cast<std::uint8_t>(state);
    };
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    for (int round = 0; round < 500; ++round) {
        Bytes reply(next() % 24);
        for (std::uint8_t& byte : reply)
            byte = next();
        if (reply.size() >= 10 && (round % 2) == 0) { // keep some headers plausible
            reply[0] = 0x80;
            reply[1] = static_cast<std::uint8_t>(reply.size() - 10);
            reply[2] = reply[3] = reply[4] = 0;
            reply[6] = static_cast<std::uint8_t>(round);
        }
        device.reply(reply);
        try {
            runSync(reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(10)));
        } catch (const ccid::Error&) {
        }
        device.bulkIn.clear();
    }
    CHECK(reader->statistics().messagesOut == 500);
}

namespace {

// A device whose bulk-IN waits like WebUSB does until the test resumes it.
class SuspendingDevice : public FakeDevice {
public:
    coro::coroutine_handle<> waiting;
    struct Wait {
        coro::coroutine_handle<>& slot;
        bool await_ready() const noexcept { return false; }
        void await_suspend(coro::coroutine_handle<> handle) noexcept { slot = handle; }
        void await_resume() const noexcept {}
    };
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t length,
                           usb::Milliseconds timeout) override {
        co_await Wait{waiting};
        co_return co_await FakeDevice::transferIn(endpoint, length, timeout);
    }
};

} // namespace

TEST_CASE("exchange: a second exchange while one waits is refused with Busy") {
    SuspendingDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, "90 00"));
    Task<Message> first = reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100));
    first.start();
    REQUIRE_FALSE(first.done());
    CHECK(ccidError([&] {
              runSync(reader->exchange(xfrBlock(0, fromHex("01")), usb::Milliseconds(100)));
          }) == ErrorCode::Busy);
    CHECK(device.sent.size() == 1);
    device.waiting.resume();
    REQUIRE(first.done());
    CHECK(first.await_resume().abData == fromHex("90 00"));

    device.reply(dataBlock(1, "90 00")); // free again afterwards
    Task<Message> second = reader->exchange(xfrBlock(0, fromHex("00")), usb::Milliseconds(100));
    second.start();
    device.waiting.resume();
    CHECK(second.done());
}

TEST_CASE("connect: a T=1 card with CRC (TC3 01) - bmTCCKST1 11 and a CRC S(IFS request)") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, "3B 80 81 71 FE 45 01 CA")); // no TA1; IFSC 254, BWI 4 CWI 5, CRC
    device.reply(parametersReply(1, 1, "11 11 00 45 00 FE 00"));
    device.reply(dataBlock(2, toHex(t1::frame(0, 0xE1, fromHex("F7"), t1::Edc::Crc))));
    const auto session = runSync(reader->connect(0));
    CHECK(device.sent[1] == fromHex("61 07000000 00 01 01 0000 11 11 00 45 00 FE 00"));
    Bytes ifs = fromHex("6F 06000000 00 02 00 0000");
    const Bytes block = t1::frame(0, 0xC1, fromHex("F7"), t1::Edc::Crc);
    ifs.insert(ifs.end(), block.begin(), block.end());
    CHECK(device.sent[2] == ifs);
    CHECK(session->fidi() == 0x11);
}

TEST_CASE("connect: a card in specific mode (TA2) gets no PPS and must fit the reader") {
    // TA1 96, TA2 01 (specific T=1, parameters from the ATR), IFSC 254, BWI 4 CWI 5.
    const char* const specificAtr = "3B 90 96 91 01 31 FE 45 1C";
    ClassDescriptor descriptor = test::knownDescriptor("acr39u");
    descriptor.dwFeatures = 0x00010032; // the host would do PPS, but TA2 forbids it
    {
        FakeDevice device;
        test::setUp(device, "acr39u");
        const auto reader = openWith(device, descriptor);
        device.reply(dataBlock(0, specificAtr));
        device.reply(parametersReply(1, 1, "96 10 00 45 00 FE 00"));
        scriptIfsd(device, 2);
        const auto session = runSync(reader->connect(0));
        CHECK(device.sent[1] == fromHex("61 07000000 00 01 01 0000 96 10 00 45 00 FE 00"));
        CHECK(session->fidi() == 0x96);
    }
    descriptor.dwMaxDataRate = 200000;
    FakeDevice slow;
    test::setUp(slow, "acr39u");
    const auto reader = openWith(slow, descriptor);
    slow.reply(dataBlock(0, specificAtr));
    CHECK(ccidError([&] { runSync(reader->connect(0)); }) == ErrorCode::ProtocolNotSupported);
}

TEST_CASE("T=1 at TPDU level: a card's WTX request goes to the reader as bBWI and our wait grows") {
    FakeDevice device;
    const auto reader = openReader(device, "acr39u");
    device.reply(dataBlock(0, akisAtr));
    device.reply(parametersReply(1, 1, "96 10 00 45 00 FE 00"));
    scriptIfsd(device, 2);
    const auto session = runSync(reader->connect(0));

    device.reply(dataBlock(3, "00 C3 01 02 C0")); // S(WTX request), multiplier 2
    device.reply(dataBlock(4, toHex(t1::frame(0, 0x00, fromHex("90 00"), t1::Edc::Lrc))));
    const auto response =
        runSync(session->transmitRaw(iso7816::CommandApdu::decode(fromHex("00 CA 01 06 4D"))));
    CHECK(response.sw() == 0x9000);
    CHECK(device.sent[4] == fromHex("6F 05000000 00 04 02 0000 00 E3 01 02 E0"));
    CHECK(device.inTimeouts.back() == 2 * 2239);
}
