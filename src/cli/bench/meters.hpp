// What `pinctl bench` measures on the card side of a flow: the virtual reader's USB transfers
// and the time the simulator itself takes (which the app does not: it is replaced by the modelled
// wire time), and the APDUs the app sent with the time its stack took, on either transport.
#pragma once

#include "kamusm/reader/transport.hpp"
#include "kamusm/sim/pcsc.hpp"
#include "kamusm/sim/reader.hpp"
#include "kamusm/usb/forwarding_device.hpp"

#include <chrono>
#include <memory>
#include <vector>

namespace kamusm::cli::bench {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct UsbCounts {
    std::size_t bulkOut = 0, bulkIn = 0; // transfers on the bulk pipe
    std::size_t timeExtensions = 0;      // bulk-IN replies with bStatus 0x80 (the card wants time)
    std::size_t interruptIn = 0, control = 0;
};

struct CardMeter {
    UsbCounts usb;
    double simulatorSeconds = 0; // inside the virtual reader and card
    double stackSeconds = 0;     // inside the transport and its cards (simulator included)
    std::size_t apdus = 0; // exchanges the transport carried (GET RESPONSE, 6Cxx re-sends too)
    int connects = 0, disconnects = 0;
};

// The virtual reader as a USB device, each call counted and timed.
class MeteredDevice final : public usb::ForwardingDevice {
public:
    MeteredDevice(std::shared_ptr<sim::VirtualReader> reader, CardMeter& meter)
        : usb::ForwardingDevice(*reader), reader_(std::move(reader)), meter_(meter) {}

    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds timeout) override;
    Task<void> controlTransferOut(usb::ControlSetup setup, ByteView data,
                                  usb::Milliseconds timeout) override;
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t length,
                           usb::Milliseconds timeout) override;
    Task<void> transferOut(std::uint8_t endpoint, ByteView data,
                           usb::Milliseconds timeout) override;

private:
    std::shared_ptr<sim::VirtualReader> reader_; // kept alive while the stack holds this device
    CardMeter& meter_;
};

// A transport whose every call is timed and whose cards record each APDU exchange.
class MeteredTransport final : public reader::Transport {
public:
    MeteredTransport(std::unique_ptr<reader::Transport> inner, CardMeter& meter)
        : inner_(std::move(inner)), meter_(meter) {}

    reader::TransportKind kind() const override { return inner_->kind(); }
    Task<std::vector<reader::Slot>> slots() override;
    Task<void> waitForChange() override { return inner_->waitForChange(); }
    Task<std::unique_ptr<reader::Card>> connect(const std::string& slot) override;
    Task<void> close() override { return inner_->close(); }

private:
    std::unique_ptr<reader::Transport> inner_;
    CardMeter& meter_;
};

// pcscd's reader driver played by our own CCID stack on a reader model (sim::PcscDriver): the
// PC/SC path then crosses the same reader and card line as the CCID path. SCardDisconnect with
// RESET powers the card off and on again, as libccid's IFDHPowerICC(IFD_RESET) does.
std::shared_ptr<sim::PcscDriver> makeCcidDriver(usb::Device& device);

} // namespace kamusm::cli::bench
