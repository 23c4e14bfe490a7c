// Reader quirks as data. Each row names its source; facts come from libccid (src/ccid.c
// ccid_open_hack_pre, src/ccid.h product ids, readers/*.txt) and are re-stated, not copied.
#include "kamusm/ccid/quirks.hpp"

#include <array>

namespace kamusm::ccid {

namespace {

struct QuirkRow {
    std::uint16_t idVendor, idProduct;
    std::uint16_t bcdDeviceMin, bcdDeviceMax;
    Quirks quirks;
};

Quirks named(std::string_view name) {
    Quirks quirks;
    quirks.name = name;
    return quirks;
}

Quirks withMaxDataRate(std::string_view name, std::uint32_t rate) {
    Quirks quirks = named(name);
    quirks.maxDataRate = rate;
    return quirks;
}

Quirks withMaxIfsd(std::string_view name, std::uint32_t ifsd) {
    Quirks quirks = named(name);
    quirks.maxIfsd = ifsd;
    return quirks;
}

const std::array<QuirkRow, 4>& table() {
    static const std::array<QuirkRow, 4> rows{{
        // readers/ACS_ACR39U_ICC_Reader.txt: the common KamuSM reader; its descriptor is right.
        {0x072F, 0xB100, 0x0000, 0xFFFF, named("ACS ACR39U ICC Reader")},
        // ccid_open_hack_pre (MYSMARTPAD 0x09BE0002): dwMaxIFSD is wrong, libccid uses 254.
        {0x09BE, 0x0002, 0x0000, 0xFFFF, withMaxIfsd("MySMART PAD", 254)},
        // ccid_open_hack_pre (OZ776 0x0B977762, OZ776_7772 0x0B977772): the O2Micro OZ776
        // cannot go faster than 9600 bps whatever dwMaxDataRate says.
        {0x0B97, 0x7762, 0x0000, 0xFFFF, withMaxDataRate("O2Micro OZ776", 9600)},
        {0x0B97, 0x7772, 0x0000, 0xFFFF, withMaxDataRate("O2Micro OZ776", 9600)},
    }};
    return rows;
}

} // namespace

Quirks quirksFor(const usb::DeviceInfo& device) {
    for (const QuirkRow& row : table())
        if (row.idVendor == device.idVendor && row.idProduct == device.idProduct &&
            device.bcdDevice >= row.bcdDeviceMin && device.bcdDevice <= row.bcdDeviceMax)
            return row.quirks;
    return {};
}

} // namespace kamusm::ccid
