// BER-TLV and COMPACT-TLV parsers: only iso7816::Error may escape, never a crash.
#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/tlv.hpp"

#include <cstddef>
#include <cstdint>

using namespace kamusm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView bytes(data, size);
    try {
        for (const iso7816::Tlv& tlv : iso7816::parseBerTlv(bytes)) {
            (void)tlv.find({tlv.tag, 0x84});
            // Re-encoding the parsed objects must parse again to the same tag.
            if (iso7816::parseBerTlv(tlv.encode()).front().tag != tlv.tag) __builtin_trap();
        }
    } catch (const iso7816::Error&) {
    }
    try {
        (void)iso7816::parseHistoricalBytes(bytes);
    } catch (const iso7816::Error&) {
    }
    return 0;
}
