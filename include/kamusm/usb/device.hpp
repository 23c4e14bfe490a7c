// The async USB device interface, shaped after WebUSB's USBDevice so that the browser bridge is a
// thin adapter. Implementations: libusb (native CLI), WebUSB (browser), sim::VirtualReader.
// Every transfer carries its own timeout; a device never waits longer.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"
#include "kamusm/usb/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace kamusm::usb {

using Milliseconds = std::chrono::milliseconds;

struct DeviceInfo {
    std::uint16_t idVendor = 0;
    std::uint16_t idProduct = 0;
    std::uint16_t bcdDevice = 0;
    std::string manufacturer;
    std::string product;
    std::string serialNumber;
};

enum class RequestType : std::uint8_t { Standard = 0x00, Class = 0x20, Vendor = 0x40 };
enum class Recipient : std::uint8_t { Device = 0x00, Interface = 0x01, Endpoint = 0x02 };

// The SETUP packet of a control transfer, without the direction bit and wLength.
struct ControlSetup {
    RequestType requestType = RequestType::Standard;
    Recipient recipient = Recipient::Device;
    std::uint8_t bRequest = 0;
    std::uint16_t wValue = 0;
    std::uint16_t wIndex = 0;
};

inline constexpr std::uint8_t GET_DESCRIPTOR = 0x06;
inline constexpr std::uint8_t DESCRIPTOR_DEVICE = 0x01;
inline constexpr std::uint8_t DESCRIPTOR_CONFIGURATION = 0x02;

class Device {
public:
    virtual ~Device() = default;

    virtual DeviceInfo info() const = 0;
    virtual Task<void> open() = 0;
    virtual Task<void> close() = 0;
    virtual Task<void> selectConfiguration(std::uint8_t configurationValue) = 0;
    virtual Task<void> claimInterface(std::uint8_t interfaceNumber) = 0;
    virtual Task<void> releaseInterface(std::uint8_t interfaceNumber) = 0;
    virtual Task<Bytes> controlTransferIn(ControlSetup setup, std::uint16_t length,
                                          Milliseconds timeout) = 0;
    virtual Task<void> controlTransferOut(ControlSetup setup, ByteView data,
                                          Milliseconds timeout) = 0;
    // Bulk or interrupt IN on endpoint number 1..15 (no direction bit). Returns at most `length`
    // bytes: one USB transfer, which may end with a short packet.
    virtual Task<Bytes> transferIn(std::uint8_t endpointNumber, std::size_t length,
                                   Milliseconds timeout) = 0;
    virtual Task<void> transferOut(std::uint8_t endpointNumber, ByteView data,
                                   Milliseconds timeout) = 0;
    virtual Task<void> clearHalt(bool in, std::uint8_t endpointNumber) = 0;
    virtual Task<void> reset() = 0;
};

// Reads the whole configuration descriptor (header first for wTotalLength, then all of it).
Task<Bytes> readConfigurationDescriptor(Device& device, std::uint8_t index = 0);

} // namespace kamusm::usb
