// The host's CCID reader, stateful, against a device that answers with fuzzed frames: replies
// with any bSeq, bStatus, bError, length and data, time extensions, raw bytes, transfer
// timeouts, stalls and disconnects, on one of the modelled readers (every exchange level). Each
// exchange (open, slot status, power-on and negotiation, APDUs, polling, power-off) must end with
// an answer or a typed error (kamusm::Error), within a bounded number of device calls; every
// message the host sends must be a well-formed PC_to_RDR message with the next bSeq.
//
// Input: a byte picking the reader model, then one directive per device reply (see reply()).
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/ccid/message.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/usb/error.hpp"

#include <cstdlib>
#include <optional>

using namespace kamusm;

namespace {

// Far more device calls than any exchange that ends makes (T=1 recovery, 256 time extensions,
// 8 stale frames …): past it, the exchange does not end.
constexpr int maxCallsPerExchange = 4000;

class FuzzedReader : public usb::Device {
public:
    FuzzedReader(ByteView input, const ccid::KnownReader& model) : input_(input), model_(model) {}

    void startExchange() { calls_ = 0; }

    usb::DeviceInfo info() const override {
        return {model_.idVendor, model_.idProduct, model_.bcdDevice, "Fuzz", "Fuzzed Reader", ""};
    }
    Task<void> open() override { co_return; }
    Task<void> close() override { co_return; }
    Task<void> selectConfiguration(std::uint8_t) override { co_return; }
    Task<void> claimInterface(std::uint8_t) override { co_return; }
    Task<void> releaseInterface(std::uint8_t) override { co_return; }
    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds) override {
        call();
        // The descriptor is the model's; the class requests (clock frequencies, data rates) are
        // refused, as readers that list none do.
        if (setup.bRequest != usb::GET_DESCRIPTOR)
            throw usb::Error(usb::ErrorCode::Stall, "not supported");
        Bytes answer = model_.configurationDescriptor;
        if (answer.size() > length) answer.resize(length);
        co_return answer;
    }
    Task<void> controlTransferOut(usb::ControlSetup, ByteView, usb::Milliseconds) override {
        call();
        co_return;
    }
    Task<void> transferOut(std::uint8_t, ByteView data, usb::Milliseconds) override {
        call();
        checkCommand(data);
        co_return;
    }
    Task<Bytes> transferIn(std::uint8_t, std::size_t length, usb::Milliseconds) override {
        call();
        Bytes answer = reply();
        if (answer.size() > length) answer.resize(length);
        co_return answer;
    }
    Task<void> clearHalt(bool, std::uint8_t) override {
        call();
        co_return;
    }
    Task<void> reset() override { co_return; }

private:
    void call() {
        if (++calls_ > maxCallsPerExchange) std::abort(); // the exchange does not end
    }

    // What the host sends is a whole PC_to_RDR message, each with the next bSeq.
    void checkCommand(ByteView data) {
        if (data.empty()) return; // a zero-length packet after a full one (a quirk)
        if (data.size() < ccid::headerSize ||
            readLittle32(data, 1) != data.size() - ccid::headerSize)
            std::abort();
        const ccid::Message command = ccid::Message::decode(data);
        if (last_ && command.bSeq != static_cast<std::uint8_t>(last_->bSeq + 1)) std::abort();
        last_ = command;
    }

    std::uint8_t byte() {
        if (input_.empty()) throw usb::Error(usb::ErrorCode::Timeout, "the fuzz input ran dry");
        const std::uint8_t value = input_[0];
        input_ = input_.subspan(1);
        return value;
    }
    Bytes take(std::size_t count) {
        count = std::min(count, input_.size());
        Bytes bytes(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(count));
        input_ = input_.subspan(count);
        return bytes;
    }
    std::size_t length16() {
        const std::size_t low = byte();
        return low | std::size_t{byte()} << 8;
    }

    // One reply, as the next directive says: 0 a reply to the last command with fuzzed status
    // and data, 1 the same with another bSeq, 2 a time extension, 3 raw bytes, 4 a timeout,
    // 5 a stall, 6 the reader unplugged, 7 a reply with a long data field.
    Bytes reply() {
        const std::uint8_t directive = byte();
        ccid::Message answer{ccid::RDR_to_PC::DataBlock, 0, 0, {0, 0, 0}, {}};
        if (last_) answer.bSlot = last_->bSlot, answer.bSeq = last_->bSeq;
        switch (directive % 8) {
        case 0:
        case 1:
        case 7:
            if (directive & 0x08) answer.bMessageType = byte();
            if (directive % 8 == 1) answer.bSeq = static_cast<std::uint8_t>(answer.bSeq + byte());
            answer.specific = {byte(), byte(), byte()};
            answer.abData = take(directive % 8 == 7 ? length16() : byte());
            return answer.encode();
        case 2:
            answer.specific = {static_cast<std::uint8_t>(0x80 | (byte() & 0x03)), byte(), 0};
            return answer.encode();
        case 3:
            return take(length16());
        case 4:
            throw usb::Error(usb::ErrorCode::Timeout, "no reply");
        case 5:
            throw usb::Error(usb::ErrorCode::Stall, "stalled");
        default:
            throw usb::Error(usb::ErrorCode::Disconnected, "unplugged");
        }
    }

    ByteView input_;
    const ccid::KnownReader& model_;
    int calls_ = 0;
    std::optional<ccid::Message> last_;
};

// One exchange: it answers, or fails with a typed error.
template <typename Work> bool exchange(FuzzedReader& device, Work&& work) {
    device.startExchange();
    try {
        work();
        return true;
    } catch (const kamusm::Error&) {
        return false;
    }
}

iso7816::CommandApdu apdu(std::uint8_t ins, Bytes data, std::optional<std::size_t> le) {
    return {0x00, ins, 0x00, ins == 0x20 ? std::uint8_t{0x81} : std::uint8_t{0x00}, std::move(data),
            le};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto& models = ccid::knownReaders();
    FuzzedReader device(ByteView(data + 1, size - 1), models[data[0] % models.size()]);
    std::unique_ptr<ccid::Reader> reader;
    if (!exchange(device, [&] { reader = runSync(ccid::Reader::open(device)); })) return 0;
    exchange(device, [&] { (void)runSync(reader->slotStatus(0)); });
    std::unique_ptr<ccid::CardSession> session;
    exchange(device, [&] { session = runSync(reader->connect(0)); });
    if (session) {
        const iso7816::CommandApdu commands[] = {
            apdu(0xA4, fromHex("F04B414D55534D01"), std::nullopt), // SELECT the e-signature DF
            apdu(0x20, fromHex("313233343536"), std::nullopt),     // VERIFY
            apdu(0xB0, {}, 256),                                   // READ BINARY
        };
        for (const iso7816::CommandApdu& command : commands)
            exchange(device, [&] { (void)runSync(session->transmitRaw(command)); });
        exchange(device, [&] { runSync(session->powerOff()); });
    }
    exchange(device, [&] { (void)runSync(reader->pollSlotChanges(usb::Milliseconds(10))); });
    exchange(device, [&] { runSync(reader->close()); });
    return 0;
}
