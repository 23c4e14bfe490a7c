// Readers that carry CCID behind a vendor-class (0xFF) interface instead of the smart-card class
// (0x0B): the page asks Chrome's chooser for them by VID/PID, since the class filter misses
// them, and Chrome lets an ordinary page claim them (only class 0x0B is protected).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace kamusm::ccid {

struct VendorClassReader {
    std::uint16_t idVendor, idProduct;
    std::string_view name;
};

std::span<const VendorClassReader> vendorClassReaders();

} // namespace kamusm::ccid
