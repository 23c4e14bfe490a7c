// usb::Device over libusb-1.0 for the native CLI (Linux, macOS). Transfers are synchronous
// libusb calls, so the tasks complete at once and `runSync` can drive them.
#pragma once

#include "kamusm/usb/descriptor.hpp"
#include "kamusm/usb/device.hpp"

#include <memory>
#include <vector>

struct libusb_context;
struct libusb_device;
struct libusb_device_handle;

namespace kamusm::usb {

class LibusbContext {
public:
    LibusbContext();
    ~LibusbContext();
    LibusbContext(const LibusbContext&) = delete;
    LibusbContext& operator=(const LibusbContext&) = delete;
    libusb_context* get() const { return context_; }

private:
    libusb_context* context_ = nullptr;
};

class LibusbDevice : public Device {
public:
    LibusbDevice(libusb_device* device); // takes a reference
    ~LibusbDevice() override;

    DeviceInfo info() const override;
    Task<void> open() override;
    Task<void> close() override;
    Task<void> selectConfiguration(std::uint8_t configurationValue) override;
    Task<void> claimInterface(std::uint8_t interfaceNumber) override;
    Task<void> releaseInterface(std::uint8_t interfaceNumber) override;
    Task<Bytes> controlTransferIn(ControlSetup setup, std::uint16_t length,
                                  Milliseconds timeout) override;
    Task<void> controlTransferOut(ControlSetup setup, ByteView data, Milliseconds timeout) override;
    Task<Bytes> transferIn(std::uint8_t endpointNumber, std::size_t length,
                           Milliseconds timeout) override;
    Task<void> transferOut(std::uint8_t endpointNumber, ByteView data,
                           Milliseconds timeout) override;
    Task<void> clearHalt(bool in, std::uint8_t endpointNumber) override;
    Task<void> reset() override;

    // The active configuration as the system keeps it (no open needed, so also for devices
    // this user may not open or another driver holds), class-specific descriptors included.
    ConfigurationDescriptor activeConfiguration() const;

private:
    libusb_device_handle* handle() const;

    libusb_device* device_;
    libusb_device_handle* handle_ = nullptr;
    DeviceInfo info_;
    std::vector<std::uint8_t> claimed_;
};

// Every attached device; the caller picks the readers among them.
std::vector<std::unique_ptr<LibusbDevice>> listDevices(const LibusbContext& context);

} // namespace kamusm::usb
