// ATR parser and every derived value: only iso7816::Error may escape, never a crash.
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/tlv.hpp"

#include <cstddef>
#include <cstdint>

using namespace kamusm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const iso7816::Atr atr = iso7816::parseAtr(ByteView(data, size));
        (void)atr.protocols();
        (void)atr.tckRequired();
        (void)atr.fi();
        (void)atr.di();
        (void)atr.fmaxMhz();
        (void)atr.specificProtocol();
        (void)atr.extraGuardTime();
        (void)atr.ifsc();
        (void)atr.crc();
        if (atr.fi() && atr.di()) (void)iso7816::timing(atr, *atr.fi(), *atr.di(), 4e6);
        if (!atr.historical.empty()) (void)iso7816::parseHistoricalBytes(atr.historical);
    } catch (const iso7816::Error&) {
    }
    return 0;
}
