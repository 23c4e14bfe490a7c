#pragma once

#include "kamusm/base/error.hpp"

namespace kamusm::usb {

enum class ErrorCode {
    Timeout,      // the transfer did not complete in time
    Stall,        // the endpoint answered STALL
    Disconnected, // the device is gone (unplugged)
    AccessDenied, // the platform refuses the interface (WebUSB SecurityError on claim: Chrome's
                  // protected classes)
    OpenDenied,   // the system refuses to open the device (no udev rights on Linux, not the
                  // WinUSB driver on Windows: WebUSB SecurityError on open, LIBUSB_ERROR_ACCESS)
    Busy,         // another driver (pcscd, the OS) holds the interface
    NotFound,     // no such device, interface or endpoint
    MalformedDescriptor,
    Unsupported, // the platform has no USB access at all
    Io,          // any other transfer failure
};

inline constexpr char layerName[] = "usb";
using Error = LayerError<ErrorCode, layerName>;

} // namespace kamusm::usb
