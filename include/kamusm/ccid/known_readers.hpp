// Real CCID readers' USB configuration descriptors, for the simulator (which presents them as
// its virtual readers) and for the tests (which parse them and check every field). What
// production code needs of readers lives in quirks.hpp and vendor_class.hpp.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace kamusm::ccid {

struct KnownReader {
    std::string_view id;   // "acr39u", "connect2sign", "extended", "twoslot"
    std::string_view name; // iManufacturer + iProduct as the reader reports them
    std::uint16_t idVendor = 0, idProduct = 0, bcdDevice = 0;
    // The whole configuration descriptor: configuration, interface, CCID class descriptor,
    // endpoints (wTotalLength bytes).
    Bytes configurationDescriptor;
};

const std::vector<KnownReader>& knownReaders();

// Throws std::out_of_range for an id that is not in the table.
const KnownReader& knownReader(std::string_view id);

} // namespace kamusm::ccid
