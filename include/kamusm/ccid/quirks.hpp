// Reader quirks: a data table keyed by VID/PID and a bcdDevice range, so that odd firmware is
// handled by a row rather than by an `if` in the protocol code.
#pragma once

#include "kamusm/usb/device.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace kamusm::ccid {

struct Quirks {
    std::string_view name;                        // the reader's model, for traces and messages
    std::optional<std::uint32_t> maxDataRate;     // overrides dwMaxDataRate where it is wrong
    std::optional<std::uint32_t> maxIfsd;         // overrides dwMaxIFSD where it is wrong
    bool noVoltageFallback = false;               // the reader needs bPowerSelect 0 (automatic)
    bool zeroLengthPacketAfterFullPacket = false; // send a ZLP after a multiple of wMaxPacketSize
    std::uint32_t extraTimeoutMs = 0;             // firmware slower than the ATR says
};

// The quirks for a device; default-constructed (no quirk) when the table has no row for it.
Quirks quirksFor(const usb::DeviceInfo& device);

} // namespace kamusm::ccid
