// The virtual CCID reader driven with raw CCID frames, replies checked byte-exactly against
// CCID Rev 1.1 and ISO/IEC 7816-3.
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/ccid/message.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"
#include "kamusm/usb/descriptor.hpp"

// White-box: the firmware alone, with descriptors no real reader has.
#include "../../src/sim/reader_firmware.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace kamusm;
using sim::ReaderModel;

namespace {

// Endpoints of every modelled configuration (ccid/known_readers.cpp).
constexpr std::uint8_t bulkOut = 2, bulkIn = 2, interruptIn = 3;
constexpr usb::Milliseconds timeout{100};

const std::string atrT1 = "3B9F968131FE45806755454B41451293318073B3A1806B";
const std::string ifsRequest = "00C101FE3E", ifsResponse = "00E101FE1E";

std::shared_ptr<sim::VirtualCard> demoCard(sim::CardProtocol protocol = sim::CardProtocol::T1) {
    return std::make_shared<sim::VirtualCard>(sim::demoCardSetup(protocol));
}

// The card's answer to an APDU, from a card of its own (the reader's card keeps its state).
Bytes cardAnswer(std::string_view apdu, sim::CardProtocol protocol = sim::CardProtocol::T1) {
    return demoCard(protocol)->process(fromHex(apdu)).encode();
}

std::uint8_t lrc(ByteView bytes) {
    std::uint8_t sum = 0;
    for (std::uint8_t b : bytes)
        sum ^= b;
    return sum;
}

Bytes t1Block(std::uint8_t pcb, ByteView information) {
    Bytes block{0x00, pcb, static_cast<std::uint8_t>(information.size())};
    block.insert(block.end(), information.begin(), information.end());
    block.push_back(lrc(block));
    return block;
}

// A RDR_to_PC header as hex: type, dwLength, bSlot, bSeq, bStatus, bError, bSpecific.
std::string header(std::uint8_t type, std::size_t length, std::uint8_t slot, std::uint8_t seq,
                   std::uint8_t status, std::uint8_t error, std::uint8_t specific) {
    Bytes out{type};
    appendLittle32(out, static_cast<std::uint32_t>(length));
    out.insert(out.end(), {slot, seq, status, error, specific});
    return toHex(out);
}

struct Rig {
    std::vector<std::shared_ptr<sim::VirtualCard>> cards;
    sim::VirtualReader reader;
    std::uint8_t seq = 0;

    explicit Rig(ReaderModel model = ReaderModel::Acr39u,
                 sim::CardProtocol protocol = sim::CardProtocol::T1)
        : Rig(model, std::vector{demoCard(protocol)}) {}
    Rig(ReaderModel model, std::vector<std::shared_ptr<sim::VirtualCard>> slots)
        : cards(slots), reader(model, std::move(slots)) {
        runSync(reader.open());
        runSync(reader.claimInterface(0));
    }

    void send(ByteView frame) { runSync(reader.transferOut(bulkOut, frame, timeout)); }
    std::string receive() { return toHex(runSync(reader.transferIn(bulkIn, 1024, timeout))); }
    // Sends `message` with the next bSeq; the reply as hex.
    std::string exchange(ccid::Message message) {
        message.bSeq = seq++;
        send(message.encode());
        return receive();
    }
    std::string powerOn(std::uint8_t slot = 0, ccid::Voltage v = ccid::Voltage::Automatic) {
        return exchange(ccid::iccPowerOn(slot, v));
    }
    std::string xfr(std::string_view hex, std::uint16_t level = 0, std::uint8_t slot = 0) {
        return exchange(ccid::xfrBlock(slot, fromHex(hex), 0, level));
    }
    std::string interrupt() { return toHex(runSync(reader.transferIn(interruptIn, 8, timeout))); }
};

template <typename Action> usb::ErrorCode usbFailure(Action action) {
    try {
        action();
    } catch (const usb::Error& error) {
        return error.code();
    }
    FAIL("no usb::Error");
    return usb::ErrorCode::Io;
}

} // namespace

TEST_CASE("reader models: ids, names and lookup") {
    REQUIRE(sim::readerModels().size() == 4);
    for (const auto& model : sim::readerModels()) {
        CHECK(sim::readerModelById(model.id) == model.model);
        CHECK_NOTHROW(ccid::knownReader(model.id));
    }
    CHECK(sim::readerModels()[0].name == "ACR39U ICC Reader");
    CHECK_FALSE(sim::readerModelById("acr38").has_value());
}

TEST_CASE("descriptors read back equal the known-readers table") {
    for (const auto& model : sim::readerModels()) {
        CAPTURE(model.id);
        const ccid::KnownReader& known = ccid::knownReader(model.id);
        Rig rig(model.model);
        const usb::ControlSetup configuration{usb::RequestType::Standard, usb::Recipient::Device,
                                              usb::GET_DESCRIPTOR, 0x0200, 0};
        CHECK(runSync(rig.reader.controlTransferIn(configuration, 9, timeout)) ==
              Bytes(known.configurationDescriptor.begin(),
                    known.configurationDescriptor.begin() + 9));
        CHECK(runSync(usb::readConfigurationDescriptor(rig.reader)) ==
              known.configurationDescriptor);
        Bytes device{0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40};
        appendLittle16(device, known.idVendor);
        appendLittle16(device, known.idProduct);
        appendLittle16(device, known.bcdDevice);
        device.insert(device.end(), {0x01, 0x02, 0x00, 0x01});
        const usb::ControlSetup deviceSetup{usb::RequestType::Standard, usb::Recipient::Device,
                                            usb::GET_DESCRIPTOR, 0x0100, 0};
        CHECK(runSync(rig.reader.controlTransferIn(deviceSetup, 255, timeout)) == device);
        const usb::DeviceInfo info = rig.reader.info();
        CHECK(info.idVendor == known.idVendor);
        CHECK(info.idProduct == known.idProduct);
        CHECK(info.product == model.name);
    }
}

TEST_CASE("cards and slots must fit the model") {
    CHECK_THROWS_AS(sim::VirtualReader(ReaderModel::Acr39u, {demoCard(), demoCard()}),
                    std::invalid_argument);
    sim::VirtualReader reader(ReaderModel::TwoSlot, {});
    CHECK_THROWS_AS(reader.insertCard(2, demoCard()), std::out_of_range);
    reader.insertCard(1, demoCard());
}

TEST_CASE("string descriptors") {
    Rig rig;
    const auto string = [&](std::uint8_t index) {
        return toHex(runSync(rig.reader.controlTransferIn(
            {usb::RequestType::Standard, usb::Recipient::Device, usb::GET_DESCRIPTOR,
             static_cast<std::uint16_t>(0x0300 | index), 0x0409},
            255, timeout)));
    };
    CHECK(string(0) == "04030904");
    CHECK(string(1) == "0803410043005300"); // "ACS"
    CHECK(usbFailure([&] { string(9); }) == usb::ErrorCode::Stall);
}

TEST_CASE("open, claim and endpoint bookkeeping") {
    sim::VirtualReader reader(ReaderModel::Acr39u, {demoCard()});
    CHECK(usbFailure([&] { runSync(reader.claimInterface(0)); }) == usb::ErrorCode::Io);
    CHECK(usbFailure([&] { runSync(reader.transferIn(bulkIn, 64, timeout)); }) ==
          usb::ErrorCode::Io);
    runSync(reader.open());
    runSync(reader.selectConfiguration(1));
    CHECK(usbFailure([&] { runSync(reader.selectConfiguration(2)); }) == usb::ErrorCode::NotFound);
    CHECK(usbFailure([&] { runSync(reader.claimInterface(1)); }) == usb::ErrorCode::NotFound);
    // Bulk endpoints belong to the interface: not usable before it is claimed.
    const Bytes status = ccid::getSlotStatus(0).encode();
    CHECK(usbFailure([&] { runSync(reader.transferOut(bulkOut, status, timeout)); }) ==
          usb::ErrorCode::NotFound);
    runSync(reader.claimInterface(0));
    CHECK(usbFailure([&] { runSync(reader.transferOut(5, status, timeout)); }) ==
          usb::ErrorCode::NotFound);
    runSync(reader.transferOut(bulkOut, status, timeout));
    CHECK(runSync(reader.transferIn(bulkIn, 64, timeout)).size() == 10);
    CHECK(usbFailure([&] { runSync(reader.transferIn(bulkIn, 64, timeout)); }) ==
          usb::ErrorCode::Timeout);
    CHECK(usbFailure([&] { runSync(reader.transferIn(interruptIn, 8, timeout)); }) ==
          usb::ErrorCode::Timeout);
    runSync(reader.releaseInterface(0));
    CHECK(usbFailure([&] { runSync(reader.releaseInterface(0)); }) == usb::ErrorCode::NotFound);
    runSync(reader.close());
    CHECK(usbFailure([&] { runSync(reader.claimInterface(0)); }) == usb::ErrorCode::Io);
}

TEST_CASE("a long reply leaves in successive bulk-IN transfers") {
    Rig rig;
    rig.send(ccid::iccPowerOn(0, ccid::Voltage::Automatic).encode());
    const std::string first = toHex(runSync(rig.reader.transferIn(bulkIn, 16, timeout)));
    const std::string rest = toHex(runSync(rig.reader.transferIn(bulkIn, 64, timeout)));
    CHECK(first + rest == header(0x80, 23, 0, 0, 0, 0, 0) + atrT1);
}

TEST_CASE("CCID class requests") {
    SUBCASE("ABORT then PC_to_RDR_Abort") {
        Rig rig;
        rig.powerOn();
        runSync(rig.reader.controlTransferOut(
            {usb::RequestType::Class, usb::Recipient::Interface, 0x01, 0x0100, 0}, {}, timeout));
        // Until the matching PC_to_RDR_Abort, the slot answers CMD_ABORTED.
        CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 1, 0x40, 0xFF, 0x00));
        CHECK(rig.exchange(ccid::abort(0)) == header(0x81, 0, 0, 2, 0x00, 0x00, 0x00));
        CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 3, 0x00, 0x00, 0x00));
    }
    SUBCASE("no clock or rate list at the ACR39U (bNum... = 0): STALL") {
        Rig rig;
        for (std::uint8_t request : {std::uint8_t{0x02}, std::uint8_t{0x03}})
            CHECK(usbFailure([&] {
                      runSync(rig.reader.controlTransferIn(
                          {usb::RequestType::Class, usb::Recipient::Interface, request, 0, 0}, 256,
                          timeout));
                  }) == usb::ErrorCode::Stall);
    }
    SUBCASE("clock frequencies and data rates of the AK9563") {
        Rig rig(ReaderModel::ExtendedApdu);
        const Bytes clocks = runSync(rig.reader.controlTransferIn(
            {usb::RequestType::Class, usb::Recipient::Interface, 0x02, 0, 0}, 256, timeout));
        CHECK(toHex(clocks) == "A00F0000401F0000E02E0000"); // 4000, 8000, 12000 kHz
        const Bytes rates = runSync(rig.reader.controlTransferIn(
            {usb::RequestType::Class, usb::Recipient::Interface, 0x03, 0, 0}, 1024, timeout));
        REQUIRE(rates.size() >= 8);
        CHECK(readLittle32(rates, 0) < readLittle32(rates, 4));
        CHECK(readLittle32(rates, rates.size() - 4) <= 688172); // dwMaxDataRate
        CHECK(rates.size() / 4 <= 0x5F);
        // 250000 bps is TA1 0x96 at 4 MHz.
        bool has250k = false;
        for (std::size_t i = 0; i < rates.size(); i += 4)
            has250k = has250k || readLittle32(rates, i) == 250000;
        CHECK(has250k);
    }
}

TEST_CASE("IccPowerOn returns the ATR in a DataBlock, IccPowerOff deactivates") {
    Rig rig;
    CHECK(rig.powerOn() == header(0x80, 23, 0, 0, 0x00, 0x00, 0x00) + atrT1);
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 1, 0x00, 0x00, 0x00));
    CHECK(rig.exchange(ccid::iccPowerOff(0)) == header(0x81, 0, 0, 2, 0x01, 0x00, 0x01));
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 3, 0x01, 0x00, 0x01));
    // The ATR crossed the line at the default rate: 23 characters of 12 etu, etu = 372/4.8 MHz.
    CHECK(rig.reader.lineStatistics().cardBytes == 23);
    CHECK(rig.reader.lineStatistics().wireSeconds ==
          doctest::Approx(23 * 12 * 372 / 4.8e6).epsilon(1e-9));
    CHECK(rig.reader.lineStatistics().fidi == 0x11);
    CHECK(rig.reader.lineStatistics().messages == 8);
    CHECK(rig.reader.lineStatistics().usbBytes == 8 * 10 + 23);
}

TEST_CASE("GetSlotStatus without a card, and XfrBlock to an inactive card") {
    Rig empty(ReaderModel::Acr39u, {nullptr});
    CHECK(empty.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 0, 0x02, 0x00, 0x01));
    CHECK(empty.powerOn() == header(0x80, 0, 0, 1, 0x42, 0xFE, 0x00));
    Rig rig;
    CHECK(rig.xfr(ifsRequest) == header(0x80, 0, 0, 0, 0x41, 0xFE, 0x00));
}

TEST_CASE("voltage selection") {
    SUBCASE("a 3 V card at the ACR39U (bPowerSelect honoured)") {
        Rig rig;
        rig.reader.faults().cardVoltages = 0x02;
        CHECK(rig.powerOn(0, ccid::Voltage::V5_0) == header(0x80, 0, 0, 0, 0x41, 0xFE, 0x00));
        CHECK(rig.powerOn(0, ccid::Voltage::V3_0) == header(0x80, 23, 0, 1, 0, 0, 0) + atrT1);
        CHECK(rig.powerOn(0, ccid::Voltage::Automatic) == header(0x80, 23, 0, 2, 0, 0, 0) + atrT1);
    }
    SUBCASE("no common class, and an invalid bPowerSelect") {
        Rig rig;
        rig.reader.faults().cardVoltages = 0x00;
        CHECK(rig.powerOn() == header(0x80, 0, 0, 0, 0x41, 0xF5, 0x00));
        ccid::Message bad = ccid::iccPowerOn(0, ccid::Voltage::Automatic);
        bad.specific[0] = 0x04;
        CHECK(rig.exchange(bad) == header(0x80, 0, 0, 1, 0x41, 0x07, 0x00));
    }
    SUBCASE("auto-voltage readers ignore bPowerSelect") {
        Rig rig(ReaderModel::Connect2Sign); // 3 V and 1.8 V only, dwFeatures 0x08
        CHECK(rig.powerOn(0, ccid::Voltage::V5_0).starts_with(header(0x80, 23, 0, 0, 0, 0, 0)));
    }
}

TEST_CASE("parameters after power-on, SetParameters with auto PPS at the ACR39U") {
    Rig rig;
    rig.powerOn();
    // From the ATR: T=1, LRC, BWI 4 / CWI 5, IFSC 254; the rate is still the default.
    CHECK(rig.exchange(ccid::getParameters(0)) == header(0x82, 7, 0, 1, 0, 0, 1) + "11100045"
                                                                                   "00FE00");
    rig.reader.resetStatistics();
    CHECK(rig.exchange(ccid::setParameters(0, 1, fromHex("96 10 00 45 00 FE 00"))) ==
          header(0x82, 7, 0, 2, 0, 0, 1) + "96100045"
                                           "00FE00");
    // The reader did PPS FF 11 96 78 with the card (8 characters at the default rate).
    const sim::LineStatistics& line = rig.reader.lineStatistics();
    CHECK(line.fidi == 0x96);
    CHECK(line.cardBytes == 8);
    CHECK(line.wireSeconds == doctest::Approx(8 * 12 * 372 / 4.8e6).epsilon(1e-9));
    // The T=1 exchange now runs at Fi 512 / Di 32, 12 etu a character (the ATR has no TC1).
    rig.reader.resetStatistics();
    CHECK(rig.xfr(ifsRequest) == header(0x80, 5, 0, 3, 0, 0, 0) + ifsResponse);
    CHECK(line.wireSeconds == doctest::Approx(10 * 12 * 512 / 32 / 4.8e6).epsilon(1e-9));
}

TEST_CASE("SetParameters refusals") {
    Rig rig;
    rig.powerOn();
    // Di RFU: bError 10, the offset of bmFindexDindex.
    CHECK(rig.exchange(ccid::setParameters(0, 1, fromHex("10 10 00 45 00 FE 00"))) ==
          header(0x82, 0, 0, 1, 0x40, 0x0A, 0));
    CHECK(rig.exchange(ccid::setParameters(0, 1, fromHex("96 10 00 45"))) ==
          header(0x82, 0, 0, 2, 0x40, 0x01, 0));
    CHECK(rig.exchange(ccid::getParameters(0))
              .ends_with("11100045"
                         "00FE00"));
    // 4.8 MHz·64/512 = 600 kbps is above the Connect2Sign's dwMaxDataRate of 312.5 kbps.
    Rig slow(ReaderModel::Connect2Sign);
    slow.powerOn();
    CHECK(slow.exchange(ccid::setParameters(0, 1, fromHex("97 10 00 45 00 FE 00"))) ==
          header(0x82, 0, 0, 1, 0x40, 0x0A, 0));
}

TEST_CASE("PPS from the host through XfrBlock at TPDU level") {
    Rig rig;
    rig.powerOn();
    CHECK(rig.xfr("FF 11 96 78") == header(0x80, 4, 0, 1, 0, 0, 0) + "FF119678");
    // The card now listens at 0x96 while the reader still sends at the default rate.
    CHECK(rig.xfr(ifsRequest) == header(0x80, 0, 0, 2, 0x40, 0xFE, 0));
    // SetParameters to the rate the card already has needs no second PPS.
    rig.exchange(ccid::setParameters(0, 1, fromHex("96 10 00 45 00 FE 00")));
    CHECK(rig.xfr(ifsRequest) == header(0x80, 5, 0, 4, 0, 0, 0) + ifsResponse);
    CHECK(rig.reader.lineStatistics().fidi == 0x96);
}

TEST_CASE("PPS the card does not grant, and PPS after the first block") {
    Rig rig;
    rig.powerOn();
    // Fi 512 / Di 64 is beyond the card's TA1: the card answers without PPS1 (default rate).
    CHECK(rig.xfr("FF 11 97 79") == header(0x80, 3, 0, 1, 0, 0, 0) + "FF01FE");
    Rig late;
    late.powerOn();
    late.xfr(ifsRequest);
    CHECK(late.xfr("FF 11 96 78") == header(0x80, 4, 0, 2, 0, 0, 0) + "00820082");
}

TEST_CASE("a T=1 I-block through XfrBlock returns the serial") {
    Rig rig;
    rig.powerOn();
    CHECK(rig.xfr(ifsRequest) == header(0x80, 5, 0, 1, 0, 0, 0) + ifsResponse);
    const Bytes answer = cardAnswer("00 CA 01 06 4D");
    REQUIRE(answer.size() == 79);
    CHECK(rig.xfr("00 00 05 00 CA 01 06 4D 85") ==
          header(0x80, 83, 0, 2, 0, 0, 0) + toHex(t1Block(0x00, answer)));
    const std::string serial(answer.begin() + 55, answer.begin() + 67);
    CHECK(serial == sim::demoSerial);
}

TEST_CASE("short APDU at the Connect2Sign, with its automatic rate negotiation") {
    Rig rig(ReaderModel::Connect2Sign);
    CHECK(rig.powerOn() == header(0x80, 23, 0, 0, 0, 0, 0) + atrT1);
    CHECK(rig.reader.lineStatistics().fidi == 0x96); // 4.8 MHz·32/512 = 300 kbps ≤ 312.5 kbps
    CHECK(rig.exchange(ccid::getParameters(0))
              .ends_with("96100045"
                         "00FE00"));
    CHECK(rig.xfr("00 CA 01 06 4D") ==
          header(0x80, 79, 0, 2, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
    // The card's S(WTX request) is answered by the reader, which sends the host a time extension.
    rig.reader.faults().cardWtxRequests = 1;
    CHECK(rig.xfr("00 CA 01 06 4D") == header(0x80, 0, 0, 3, 0x80, 0x01, 0));
    CHECK(rig.receive() == header(0x80, 79, 0, 3, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
    // wLevelParameter belongs to extended-APDU readers.
    CHECK(rig.xfr("00 CA 01 06 4D", 0x0001) == header(0x80, 0, 0, 4, 0x40, 0x08, 0));
}

TEST_CASE("an APDU-level auto-PPS reader negotiates on SetParameters, before the first APDU") {
    Rig rig(ReaderModel::ExtendedApdu);
    rig.powerOn();
    CHECK(rig.exchange(ccid::setParameters(0, 1, fromHex("96 10 00 45 00 FE 00"))) ==
          header(0x82, 7, 0, 1, 0, 0, 1) + "96100045"
                                           "00FE00");
    CHECK(rig.reader.lineStatistics().fidi == 0x96);
    CHECK(rig.xfr("00 CA 01 06 4D") ==
          header(0x80, 79, 0, 2, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
    // After the first APDU the reader has run T=1 with the card: no PPS any more.
    CHECK(rig.exchange(ccid::setParameters(0, 1, fromHex("95 10 00 45 00 FE 00"))) ==
          header(0x82, 0, 0, 3, 0x40, 0x0A, 0));
}

TEST_CASE("extended APDU: a command in wLevelParameter pieces") {
    Rig rig(ReaderModel::ExtendedApdu);
    rig.powerOn();
    CHECK(rig.xfr("00 A4 04 0C", 0x0001) == header(0x80, 0, 0, 1, 0, 0, 0x10));
    CHECK(rig.xfr("08 F0 4B 41", 0x0003) == header(0x80, 0, 0, 2, 0, 0, 0x10));
    CHECK(rig.xfr("4D 55 53 4D 01", 0x0002) == header(0x80, 2, 0, 3, 0, 0, 0) + "9000");
    // Continuations without a beginning, and a response continuation with nothing left.
    CHECK(rig.xfr("00", 0x0002) == header(0x80, 0, 0, 4, 0x40, 0x08, 0));
    CHECK(rig.xfr("", 0x0010) == header(0x80, 0, 0, 5, 0x40, 0x08, 0));
    CHECK(rig.xfr("00 CA 01 06 4D") ==
          header(0x80, 79, 0, 6, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
}

TEST_CASE("T=0 card at a TPDU-level reader: procedure bytes run by the reader") {
    const auto t0 = sim::CardProtocol::T0;
    Rig rig(ReaderModel::Acr39u, t0);
    const std::string atr = toHex(demoCard(t0)->atr());
    CHECK(rig.powerOn() == header(0x80, atr.size() / 2, 0, 0, 0, 0, 0) + atr);
    CHECK(rig.exchange(ccid::getParameters(0)) == header(0x82, 5, 0, 1, 0, 0, 0) + "110000"
                                                                                   "0A00");
    rig.reader.resetStatistics();
    CHECK(rig.xfr("00 CA 01 06 4D") == header(0x80, 2, 0, 2, 0, 0, 0) + "614D");
    // Header and SW1 SW2 on the line, 12 etu each.
    CHECK(rig.reader.lineStatistics().cardBytes == 7);
    CHECK(rig.reader.lineStatistics().wireSeconds ==
          doctest::Approx(7 * 12 * 372 / 4.8e6).epsilon(1e-9));
    CHECK(rig.xfr("00 C0 00 00 4D") ==
          header(0x80, 79, 0, 3, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
    CHECK(rig.xfr("00 A4 04 0C 08 F0 4B 41 4D 55 53 4D 01") ==
          header(0x80, 2, 0, 4, 0, 0, 0) + "9000");
    // The card asks for time with a NULL procedure byte: the reader waits it out and tells the
    // host with a time-extension frame.
    rig.reader.faults().cardWtxRequests = 1;
    CHECK(rig.xfr("00 A4 04 0C 08 F0 4B 41 4D 55 53 4D 01") ==
          header(0x80, 0, 0, 5, 0x80, 0x01, 0));
    CHECK(rig.receive() == header(0x80, 2, 0, 5, 0, 0, 0) + "9000");
    // Not a TPDU: abData is the field in error.
    CHECK(rig.xfr("00 A4 04") == header(0x80, 0, 0, 6, 0x40, 0x0A, 0));
    CHECK(rig.xfr("00 A4 04 0C 05 01") == header(0x80, 0, 0, 7, 0x40, 0x0A, 0));
}

TEST_CASE("T=0 card at an APDU-level reader: 6Cxx and 61xx handled by the reader") {
    Rig rig(ReaderModel::Connect2Sign, sim::CardProtocol::T0);
    rig.powerOn();
    CHECK(rig.reader.lineStatistics().fidi == 0x96); // PPS with T=0 as well
    const std::string serial = toHex(cardAnswer("00 CA 01 06 4D"));
    CHECK(rig.xfr("00 CA 01 06 00") == header(0x80, 79, 0, 1, 0, 0, 0) + serial);
    CHECK(rig.xfr("00 CA 01 06 4D") == header(0x80, 79, 0, 2, 0, 0, 0) + serial);
    CHECK(rig.xfr("00 A4 04 0C 08 F0 4B 41 4D 55 53 4D 01") ==
          header(0x80, 2, 0, 3, 0, 0, 0) + "9000");
    CHECK(rig.xfr("00 CA") == header(0x80, 2, 0, 4, 0, 0, 0) + "6700");
    // T0APDU sets the class of the reader's GET RESPONSE; this card refuses CLA 80 (6E00).
    CHECK(rig.exchange(ccid::Message{0x6A, 0, 0, {0x01, 0x80, 0x00}, {}}) ==
          header(0x81, 0, 0, 5, 0, 0, 0));
    CHECK(rig.xfr("00 CA 01 06 4D") == header(0x80, 2, 0, 6, 0, 0, 0) + "6E00");
}

TEST_CASE("extended APDU: a response in bChainParameter pieces") {
    // The AK9563's descriptor with room for only 30 bytes of abData per message.
    ccid::ClassDescriptor descriptor =
        ccid::findInterface(usb::parseConfigurationDescriptor(
                                ccid::knownReader("extended").configurationDescriptor))
            .descriptor;
    descriptor.dwMaxCCIDMessageLength = 40;
    sim::Faults faults;
    sim::LineStatistics statistics;
    sim::Firmware firmware(descriptor, {demoCard()}, faults, statistics);
    const auto send = [&](ccid::Message message, std::uint8_t seq) {
        message.bSeq = seq;
        return toHex(firmware.receive(message.encode())->message.encode());
    };
    REQUIRE(send(ccid::iccPowerOn(0, ccid::Voltage::Automatic), 0).size() == 2 * 33);
    const std::string answer = toHex(cardAnswer("00 CA 01 06 4D")); // 79 bytes
    CHECK(send(ccid::xfrBlock(0, fromHex("00 CA 01 06 4D")), 1) ==
          header(0x80, 30, 0, 1, 0, 0, 0x01) + answer.substr(0, 60));
    CHECK(send(ccid::xfrBlock(0, {}, 0, 0x0010), 2) ==
          header(0x80, 30, 0, 2, 0, 0, 0x03) + answer.substr(60, 60));
    CHECK(send(ccid::xfrBlock(0, {}, 0, 0x0010), 3) ==
          header(0x80, 19, 0, 3, 0, 0, 0x02) + answer.substr(120));
    CHECK(send(ccid::xfrBlock(0, {}, 0, 0x0010), 4) == header(0x80, 0, 0, 4, 0x40, 0x08, 0));
}

TEST_CASE("random frames never break the reader") {
    for (const auto& model : sim::readerModels()) {
        for (auto protocol : {sim::CardProtocol::T1, sim::CardProtocol::T0}) {
            CAPTURE(model.id);
            Rig rig(model.model, protocol);
            std::mt19937 random(7);
            const std::uint8_t types[] = {0x62, 0x63, 0x65, 0x6F, 0x6C, 0x6D, 0x61, 0x6B,
                                          0x6E, 0x6A, 0x69, 0x71, 0x72, 0x73, 0x00, 0xFF};
            for (int i = 0; i < 3000; ++i) {
                ccid::Message message{types[random() % std::size(types)],
                                      static_cast<std::uint8_t>(random() % 3),
                                      0,
                                      {static_cast<std::uint8_t>(random() % 4),
                                       static_cast<std::uint8_t>(random() % 4),
                                       static_cast<std::uint8_t>(random() % 2)},
                                      {}};
                message.abData.resize(random() % 20);
                for (auto& b : message.abData)
                    b = static_cast<std::uint8_t>(random());
                if (message.bMessageType == 0x6F && random() % 2)
                    message.abData =
                        fromHex(random() % 2 ? "00 CA 01 06 4D" : "00 00 05 00 CA 01 06 4D 85");
                Bytes frame = message.encode();
                if (random() % 10 == 0) frame.resize(random() % frame.size());
                rig.send(frame);
                while (true) {
                    try {
                        rig.receive();
                    } catch (const usb::Error&) {
                        break;
                    }
                }
            }
            CHECK(rig.exchange(ccid::getSlotStatus(0)).size() == 20);
        }
    }
}

TEST_CASE("two slots, each on its own, and NotifySlotChange for both") {
    const auto card = demoCard();
    Rig rig(ReaderModel::TwoSlot, {nullptr, card});
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 0, 0x02, 0, 1));
    CHECK(rig.exchange(ccid::getSlotStatus(1)) == header(0x81, 0, 1, 1, 0x01, 0, 1));
    CHECK(rig.powerOn(1) == header(0x80, 23, 1, 2, 0, 0, 0) + atrT1);
    CHECK(rig.exchange(ccid::getSlotStatus(2)) == header(0x81, 0, 2, 3, 0x42, 0x05, 0));
    CHECK(rig.xfr(ifsRequest, 0, 1) == header(0x80, 5, 1, 4, 0, 0, 0) + ifsResponse);

    rig.reader.insertCard(0, demoCard());
    CHECK(rig.interrupt() == "5007"); // slot 0 present + changed, slot 1 present
    CHECK(usbFailure([&] { rig.interrupt(); }) == usb::ErrorCode::Timeout);
    rig.reader.removeCard(1);
    CHECK(rig.interrupt() == "5009"); // slot 0 present, slot 1 absent + changed
    CHECK(rig.exchange(ccid::getSlotStatus(1)) == header(0x81, 0, 1, 5, 0x02, 0, 1));
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 6, 0x01, 0, 1));
}

TEST_CASE("malformed and unsupported messages") {
    Rig rig;
    ccid::Message unknown{0x99, 0, 0, {}, {}};
    CHECK(rig.exchange(unknown) == header(0x81, 0, 0, 0, 0x41, 0x00, 0));
    // dwLength not matching the transfer: bError 1, the offset of dwLength.
    rig.send(fromHex("65 05000000 00 21 000000"));
    CHECK(rig.receive() == header(0x81, 0, 0, 0x21, 0x41, 0x01, 0));
    // Longer than dwMaxCCIDMessageLength (271).
    CHECK(rig.exchange(ccid::xfrBlock(0, Bytes(262, 0))) == header(0x80, 0, 0, 1, 0x41, 0x01, 0));
    // Shorter than a header: nothing to answer.
    rig.send(fromHex("65 00"));
    CHECK(usbFailure([&] { rig.receive(); }) == usb::ErrorCode::Timeout);
    CHECK(rig.exchange(ccid::iccClock(0, true)) == header(0x81, 0, 0, 2, 0x41, 0x00, 0));
    CHECK(rig.exchange(ccid::secure(0, fromHex("00"))) == header(0x80, 0, 0, 3, 0x41, 0x00, 0));
    CHECK(rig.exchange(ccid::Message{0x71, 0, 0, {}, {}}) == header(0x81, 0, 0, 4, 0x41, 0, 0));
    CHECK(rig.exchange(ccid::escape(0, fromHex("A1 B2"))) ==
          header(0x83, 2, 0, 5, 0x01, 0, 0) + "A1B2");
    CHECK(rig.exchange(ccid::Message{0x6A, 0, 0, {0x01, 0x00, 0x00}, {}}) ==
          header(0x81, 0, 0, 6, 0x41, 0x00, 0)); // T0APDU is for APDU-level readers
    CHECK(rig.exchange(ccid::setParameters(0, 2, fromHex("11"))) ==
          header(0x82, 0, 0, 7, 0x41, 0x07, 0));
}

TEST_CASE("SetDataRateAndClockFrequency answers with the values in force") {
    Rig rig;
    rig.powerOn();
    CHECK(rig.exchange(ccid::setDataRateAndClockFrequency(0, 16000, 826000)) ==
          header(0x84, 8, 0, 1, 0, 0, 0) + "C0120000"
                                           "67320000"); // 4800 kHz, 12903 bps
}

TEST_CASE("fault: card removed") {
    Rig rig;
    rig.powerOn();
    rig.reader.faults().cardRemoved = true;
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 1, 0x02, 0, 1));
    CHECK(rig.xfr(ifsRequest) == header(0x80, 0, 0, 2, 0x42, 0xFE, 0));
    CHECK(rig.interrupt() == "5002");
    rig.reader.faults().cardRemoved = false;
    CHECK(rig.interrupt() == "5003");
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 3, 0x01, 0, 1));
}

TEST_CASE("fault: mute card") {
    Rig rig;
    rig.reader.faults().muteCard = true;
    CHECK(rig.powerOn() == header(0x80, 0, 0, 0, 0x41, 0xFE, 0));
}

TEST_CASE("fault: parity error, then the exchange works again") {
    Rig rig;
    rig.powerOn();
    rig.reader.faults().parityErrors = 1;
    CHECK(rig.xfr(ifsRequest) == header(0x80, 0, 0, 1, 0x40, 0xFD, 0));
    CHECK(rig.xfr(ifsRequest) == header(0x80, 5, 0, 2, 0, 0, 0) + ifsResponse);
}

TEST_CASE("fault: corrupt T=1 block from the card") {
    Rig rig;
    rig.powerOn();
    rig.reader.faults().corruptT1Blocks = 1;
    const std::string reply = rig.xfr(ifsRequest);
    REQUIRE(reply.size() == 2 * 15);
    CHECK(reply.substr(0, 28) == header(0x80, 5, 0, 1, 0, 0, 0) + "00E101FE");
    CHECK(reply.substr(28) != "1E");
    CHECK(rig.xfr(ifsRequest) == header(0x80, 5, 0, 2, 0, 0, 0) + ifsResponse);
}

TEST_CASE("fault: corrupt T=1 blocks at an APDU-level reader") {
    // The reader's own T=1 recovers from one bad block...
    Rig rig(ReaderModel::Connect2Sign);
    rig.powerOn();
    rig.reader.faults().corruptT1Blocks = 1;
    CHECK(rig.xfr("00 CA 01 06 4D") ==
          header(0x80, 79, 0, 1, 0, 0, 0) + toHex(cardAnswer("00 CA 01 06 4D")));
    // ...and gives up on a card that only sends bad blocks.
    rig.reader.faults().corruptT1Blocks = 1000;
    CHECK(rig.xfr("00 CA 01 06 4D") == header(0x80, 0, 0, 2, 0x40, 0xFE, 0));
}

TEST_CASE("fault: card WTX request") {
    Rig rig;
    rig.powerOn();
    rig.xfr(ifsRequest);
    rig.reader.faults().cardWtxRequests = 1;
    CHECK(rig.xfr("00 00 05 00 CA 01 06 4D 85") ==
          header(0x80, 5, 0, 2, 0, 0, 0) + toHex(t1Block(0xC3, fromHex("01"))));
    CHECK(rig.xfr(toHex(t1Block(0xE3, fromHex("01")))) ==
          header(0x80, 83, 0, 3, 0, 0, 0) + toHex(t1Block(0x00, cardAnswer("00CA01064D"))));
}

TEST_CASE("fault: stale, duplicated and time-extension frames") {
    Rig rig;
    rig.powerOn();
    rig.reader.faults().staleFrames = 1;
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 0, 0, 0, 0));
    // The extra frame carries the previous bSeq; the real reply follows.
    CHECK(rig.receive() == header(0x81, 0, 0, 1, 0, 0, 0));

    rig.reader.faults().duplicateFrames = 1;
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 2, 0, 0, 0));
    CHECK(rig.receive() == header(0x81, 0, 0, 2, 0, 0, 0));

    rig.reader.faults().timeExtensions = 2;
    CHECK(rig.xfr(ifsRequest) == header(0x80, 0, 0, 3, 0x80, 0x01, 0));
    CHECK(rig.receive() == header(0x80, 0, 0, 3, 0x80, 0x01, 0));
    CHECK(rig.receive() == header(0x80, 5, 0, 3, 0, 0, 0) + ifsResponse);
    // Only commands that reach the card get time extensions.
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 4, 0, 0, 0));
}

TEST_CASE("fault: the first frame is stale") {
    Rig rig;
    rig.reader.faults().staleFrames = 1;
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 0xFF, 0x01, 0, 1));
    CHECK(rig.receive() == header(0x81, 0, 0, 0, 0x01, 0, 1));
}

TEST_CASE("fault: truncated and garbage replies") {
    Rig rig;
    rig.reader.faults().truncatedReplies = 1;
    CHECK(rig.powerOn() == (header(0x80, 23, 0, 0, 0, 0, 0) + atrT1).substr(0, 2 * 16));
    rig.reader.faults().garbageReplies = 1;
    const std::string garbage = rig.powerOn();
    CHECK(garbage.size() == 2 * 33);
    CHECK(garbage != header(0x80, 23, 0, 1, 0, 0, 0) + atrT1);
    CHECK(rig.powerOn() == header(0x80, 23, 0, 2, 0, 0, 0) + atrT1);
}

TEST_CASE("fault: stall until each bulk endpoint is cleared") {
    Rig rig;
    rig.reader.faults().stall = true;
    const Bytes status = ccid::getSlotStatus(0).encode();
    CHECK(usbFailure([&] { rig.send(status); }) == usb::ErrorCode::Stall);
    runSync(rig.reader.clearHalt(false, bulkOut));
    rig.send(status);
    CHECK(usbFailure([&] { rig.receive(); }) == usb::ErrorCode::Stall);
    runSync(rig.reader.clearHalt(true, bulkIn));
    CHECK(rig.receive() == header(0x81, 0, 0, 0, 0x01, 0, 1));
    CHECK(usbFailure([&] { runSync(rig.reader.clearHalt(true, 7)); }) == usb::ErrorCode::NotFound);
}

TEST_CASE("fault: disconnected and silent readers") {
    Rig rig;
    rig.reader.faults().silent = true;
    rig.send(ccid::getSlotStatus(0).encode());
    CHECK(usbFailure([&] { rig.receive(); }) == usb::ErrorCode::Timeout);
    rig.reader.faults().disconnected = true;
    CHECK(usbFailure([&] { rig.send(ccid::getSlotStatus(0).encode()); }) ==
          usb::ErrorCode::Disconnected);
    CHECK(usbFailure([&] { rig.receive(); }) == usb::ErrorCode::Disconnected);
    CHECK(usbFailure([&] { rig.interrupt(); }) == usb::ErrorCode::Disconnected);
    CHECK(usbFailure([&] { runSync(rig.reader.open()); }) == usb::ErrorCode::Disconnected);
    CHECK(usbFailure([&] { runSync(rig.reader.reset()); }) == usb::ErrorCode::Disconnected);
}

TEST_CASE("fault: overcurrent at power-on") {
    Rig rig;
    rig.reader.faults().overcurrents = 1;
    CHECK(rig.powerOn() == header(0x80, 0, 0, 0, 0x41, 0xFB, 0));
    CHECK(rig.interrupt() == "51000001");
    CHECK(rig.powerOn() == header(0x80, 23, 0, 1, 0, 0, 0) + atrT1);
}

TEST_CASE("USB reset powers the card down and drops pending replies") {
    Rig rig;
    rig.powerOn();
    rig.send(ccid::getSlotStatus(0).encode());
    runSync(rig.reader.reset());
    CHECK(usbFailure([&] { rig.receive(); }) == usb::ErrorCode::Timeout);
    CHECK(rig.exchange(ccid::getSlotStatus(0)) == header(0x81, 0, 0, 1, 0x01, 0, 1));
}
