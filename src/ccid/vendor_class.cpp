// Each row names its source: libccid's readers/*.txt dumps, where bInterfaceClass is 0xFF.
#include "kamusm/ccid/vendor_class.hpp"

#include <array>

namespace kamusm::ccid {

namespace {

constexpr std::array<VendorClassReader, 1> readers{{
    // readers/SCR331-DI.txt: bInterfaceClass 0xFF, two slots (contact and contactless).
    {0x04E6, 0x5111, "SCM Microsystems SCR331-DI"},
}};

} // namespace

std::span<const VendorClassReader> vendorClassReaders() {
    return readers;
}

} // namespace kamusm::ccid
