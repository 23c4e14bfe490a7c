// Fuzzes the CCID class descriptor parser; whatever parses must encode back to the same bytes.
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kamusm;
    const ByteView input(data, size);
    try {
        const ccid::ClassDescriptor descriptor = ccid::ClassDescriptor::parse(input);
        if (descriptor.encode() != Bytes(input.begin(), input.end())) std::abort();
        descriptor.exchangeLevel();
        descriptor.protocols();
        descriptor.bcdCCIDText();
    } catch (const ccid::Error&) {
    }
    return 0;
}
