// The WebUSB bridge: navigator.usb's readers behind usb::Device. Each call starts the USBDevice
// Promise in src/platform/web/webusb.js and suspends the calling coroutine until it settles (or
// the call's timeout passes); DOMExceptions become usb::Error codes.
#pragma once

#include "kamusm/usb/device.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace kamusm::platform::web {

// A USBDevice object the page holds, by its handle in the JavaScript device table.
class WebUsbDevice : public usb::Device {
public:
    explicit WebUsbDevice(int handle);
    ~WebUsbDevice() override; // drops the table entry (the USBDevice itself is not closed)

    int handle() const { return handle_; }
    // The page's disconnect event named this device: every call from now on fails Disconnected,
    // and calls still waiting are settled with Disconnected.
    bool disconnected() const;

    // usb::Device
    usb::DeviceInfo info() const override;
    Task<void> open() override;
    Task<void> close() override;
    Task<void> selectConfiguration(std::uint8_t configurationValue) override;
    Task<void> claimInterface(std::uint8_t interfaceNumber) override;
    Task<void> releaseInterface(std::uint8_t interfaceNumber) override;
    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds timeout) override;
    Task<void> controlTransferOut(usb::ControlSetup setup, ByteView data,
                                  usb::Milliseconds timeout) override;
    Task<Bytes> transferIn(std::uint8_t endpointNumber, std::size_t length,
                           usb::Milliseconds timeout) override;
    Task<void> transferOut(std::uint8_t endpointNumber, ByteView data,
                           usb::Milliseconds timeout) override;
    Task<void> clearHalt(bool in, std::uint8_t endpointNumber) override;
    Task<void> reset() override;

private:
    int handle_;
};

// navigator.usb.requestDevice with the smart-card filters: interface class 0x0B, and the
// vendor-class (0xFF) readers known to carry CCID, by VID/PID. nullptr when the user closes the
// chooser without picking one. Throws usb::Error{Unsupported} without WebUSB.
Task<std::unique_ptr<WebUsbDevice>> requestReader();
// navigator.usb.getDevices(): the readers this origin was granted before (filtered as above).
Task<std::vector<std::unique_ptr<WebUsbDevice>>> grantedReaders();

// navigator.usb's connect and disconnect events, by device handle (a connected device gets a new
// handle; wrap it in a WebUsbDevice). Set once; the bridge marks disconnected devices itself.
struct UsbEvents {
    std::function<void(int handle)> connected;
    std::function<void(int handle)> disconnected;
};
void setUsbEvents(UsbEvents events);

// Closes every opened device (pagehide): the reader is free for other programs at once.
void releaseAllDevices();

} // namespace kamusm::platform::web
