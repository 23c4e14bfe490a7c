// Fuzzes the CCID bulk, interrupt and protocol-data decoders; whatever decodes must encode back
// to the same bytes.
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

template <typename Decoded> void roundTrip(kamusm::ByteView input) {
    try {
        if (Decoded::decode(input).encode() != kamusm::Bytes(input.begin(), input.end()))
            std::abort();
    } catch (const kamusm::ccid::Error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kamusm::ccid;
    const kamusm::ByteView input(data, size);
    roundTrip<Message>(input);
    roundTrip<InterruptMessage>(input);
    roundTrip<T0Parameters>(input);
    roundTrip<T1Parameters>(input);
    try {
        const InterruptMessage message = InterruptMessage::decode(input);
        for (int slot = 0; slot < 256; ++slot) {
            message.cardPresent(static_cast<std::uint8_t>(slot));
            message.changed(static_cast<std::uint8_t>(slot));
        }
    } catch (const Error&) {
    }
    return 0;
}
