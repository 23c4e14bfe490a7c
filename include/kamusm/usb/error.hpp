#pragma once

#include "kamusm/base/error.hpp"

namespace kamusm::usb {

enum class ErrorCode {
    Timeout,      // the transfer did not complete in time
    Stall,        // the endpoint answered STALL
    Disconnected, // the device is gone (unplugged)
    AccessDenied, // the platform refuses the interface (WebUSB SecurityError, udev rights)
    Busy,         // another driver (pcscd, the OS) holds the interface
    NotFound,     // no such device, interface or endpoint
    MalformedDescriptor,
    Unsupported, // the platform has no USB access at all
    Io,          // any other transfer failure
};

inline constexpr char layerName[] = "usb";
using Error = LayerError<ErrorCode, layerName>;

} // namespace kamusm::usb
