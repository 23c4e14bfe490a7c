// A device that passes every call to another one: the base of the devices that test rigs and
// benchmarks put between the CCID stack and a reader, to count, tap or fault its transfers.
#pragma once

#include "kamusm/usb/device.hpp"

namespace kamusm::usb {

class ForwardingDevice : public Device {
public:
    explicit ForwardingDevice(Device& target) : target_(target) {}

    DeviceInfo info() const override { return target_.info(); }
    Task<void> open() override { return target_.open(); }
    Task<void> close() override { return target_.close(); }
    Task<void> selectConfiguration(std::uint8_t value) override {
        return target_.selectConfiguration(value);
    }
    Task<void> claimInterface(std::uint8_t number) override {
        return target_.claimInterface(number);
    }
    Task<void> releaseInterface(std::uint8_t number) override {
        return target_.releaseInterface(number);
    }
    Task<Bytes> controlTransferIn(ControlSetup setup, std::uint16_t length,
                                  Milliseconds timeout) override {
        return target_.controlTransferIn(setup, length, timeout);
    }
    Task<void> controlTransferOut(ControlSetup setup, ByteView data,
                                  Milliseconds timeout) override {
        return target_.controlTransferOut(setup, data, timeout);
    }
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t length,
                           Milliseconds timeout) override {
        return target_.transferIn(endpoint, length, timeout);
    }
    Task<void> transferOut(std::uint8_t endpoint, ByteView data, Milliseconds timeout) override {
        return target_.transferOut(endpoint, data, timeout);
    }
    Task<void> clearHalt(bool in, std::uint8_t endpoint) override {
        return target_.clearHalt(in, endpoint);
    }
    Task<void> reset() override { return target_.reset(); }

protected:
    Device& target_;
};

} // namespace kamusm::usb
