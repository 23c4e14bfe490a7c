#include "meters.hpp"

#include "kamusm/ccid/message.hpp"
#include "kamusm/ccid/reader.hpp"

namespace kamusm::cli::bench {

namespace {

// Adds the time from construction to destruction to `total`.
class Stopwatch {
public:
    explicit Stopwatch(double& total) : total_(total), start_(Clock::now()) {}
    ~Stopwatch() { total_ += Seconds(Clock::now() - start_).count(); }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

private:
    double& total_;
    Clock::time_point start_;
};

bool isInterruptMessage(ByteView bytes) {
    return !bytes.empty() && (bytes[0] == ccid::RDR_to_PC::NotifySlotChange ||
                              bytes[0] == ccid::RDR_to_PC::HardwareError);
}

class MeteredCard final : public reader::Card {
public:
    MeteredCard(std::unique_ptr<reader::Card> inner, CardMeter& meter)
        : inner_(std::move(inner)), meter_(meter) {}

    const iso7816::Atr& atr() const override { return inner_->atr(); }
    bool extendedApdus() const override { return inner_->extendedApdus(); }
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        iso7816::ResponseApdu response;
        {
            Stopwatch watch(meter_.stackSeconds);
            response = co_await inner_->transmitRaw(command);
        }
        ++meter_.apdus;
        co_return response;
    }
    Task<void> beginTransaction() override {
        Stopwatch watch(meter_.stackSeconds);
        co_await inner_->beginTransaction();
    }
    Task<void> endTransaction() override {
        Stopwatch watch(meter_.stackSeconds);
        co_await inner_->endTransaction();
    }
    Task<void> disconnect() override {
        Stopwatch watch(meter_.stackSeconds);
        ++meter_.disconnects;
        co_await inner_->disconnect();
    }

private:
    std::unique_ptr<reader::Card> inner_;
    CardMeter& meter_;
};

class CcidDriver final : public sim::PcscDriver {
public:
    explicit CcidDriver(usb::Device& device) : device_(device) {}

    Task<void> powerUp() override {
        if (!reader_) reader_ = co_await ccid::Reader::open(device_);
        if (!session_) session_ = co_await reader_->connect(0);
    }
    Task<Bytes> transmit(ByteView command) override {
        if (!session_) co_await powerUp();
        const iso7816::ResponseApdu response =
            co_await session_->transmitRaw(iso7816::CommandApdu::decode(command));
        co_return response.encode();
    }
    Task<void> release(pcsc::Disposition disposition) override {
        if (!session_) co_return;
        co_await session_->powerOff();
        session_.reset();
        if (disposition == pcsc::Disposition::Reset) co_await powerUp();
    }

private:
    usb::Device& device_;
    std::unique_ptr<ccid::Reader> reader_;
    std::unique_ptr<ccid::CardSession> session_;
};

} // namespace

Task<Bytes> MeteredDevice::controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                             usb::Milliseconds timeout) {
    Stopwatch watch(meter_.simulatorSeconds);
    ++meter_.usb.control;
    co_return co_await target_.controlTransferIn(setup, length, timeout);
}

Task<void> MeteredDevice::controlTransferOut(usb::ControlSetup setup, ByteView data,
                                             usb::Milliseconds timeout) {
    Stopwatch watch(meter_.simulatorSeconds);
    ++meter_.usb.control;
    co_await target_.controlTransferOut(setup, data, timeout);
}

Task<Bytes> MeteredDevice::transferIn(std::uint8_t endpoint, std::size_t length,
                                      usb::Milliseconds timeout) {
    Bytes data;
    {
        Stopwatch watch(meter_.simulatorSeconds);
        data = co_await target_.transferIn(endpoint, length, timeout);
    }
    if (isInterruptMessage(data)) {
        ++meter_.usb.interruptIn;
    } else {
        ++meter_.usb.bulkIn;
        if (ccid::Message::decode(data).commandStatus() == ccid::CommandStatus::TimeExtension)
            ++meter_.usb.timeExtensions;
    }
    co_return data;
}

Task<void> MeteredDevice::transferOut(std::uint8_t endpoint, ByteView data,
                                      usb::Milliseconds timeout) {
    Stopwatch watch(meter_.simulatorSeconds);
    ++meter_.usb.bulkOut;
    co_await target_.transferOut(endpoint, data, timeout);
}

Task<std::vector<reader::Slot>> MeteredTransport::slots() {
    Stopwatch watch(meter_.stackSeconds);
    co_return co_await inner_->slots();
}

Task<std::unique_ptr<reader::Card>> MeteredTransport::connect(const std::string& slot) {
    std::unique_ptr<reader::Card> card;
    {
        Stopwatch watch(meter_.stackSeconds);
        ++meter_.connects;
        card = co_await inner_->connect(slot);
    }
    co_return std::make_unique<MeteredCard>(std::move(card), meter_);
}

std::shared_ptr<sim::PcscDriver> makeCcidDriver(usb::Device& device) {
    return std::make_shared<CcidDriver>(device);
}

} // namespace kamusm::cli::bench
