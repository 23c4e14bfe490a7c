// Command and response APDU decoders: only iso7816::Error may escape, never a crash; whatever
// decodes must encode back to bytes that decode to the same command.
#include "kamusm/iso7816/apdu.hpp"
#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/status.hpp"

#include <cstddef>
#include <cstdint>

using namespace kamusm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView bytes(data, size);
    try {
        const iso7816::CommandApdu command = iso7816::CommandApdu::decode(bytes);
        const iso7816::CommandApdu again = iso7816::CommandApdu::decode(command.encode());
        if (again.data != command.data || again.le != command.le || again.ins != command.ins)
            __builtin_trap();
    } catch (const iso7816::Error&) {
    }
    try {
        const iso7816::ResponseApdu response = iso7816::ResponseApdu::decode(bytes);
        (void)iso7816::describeStatus(response.sw());
        (void)iso7816::formatStatus(response.sw());
        if (response.encode().size() != size) __builtin_trap();
    } catch (const iso7816::Error&) {
    }
    return 0;
}
