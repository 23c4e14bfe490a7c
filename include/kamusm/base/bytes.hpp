// Byte buffers and hex text, the currency of every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Uppercase hex; `separator` goes between bytes ("3B 9F ..." with ' ').
std::string toHex(ByteView bytes, char separator = '\0');

// Accepts upper/lower case and any whitespace between nibbles; throws std::invalid_argument
// on an odd digit count or a non-hex character.
Bytes fromHex(std::string_view text);

inline std::uint16_t readLittle16(ByteView b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}
inline std::uint32_t readLittle32(ByteView b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
           static_cast<std::uint32_t>(b[at + 2]) << 16 |
           static_cast<std::uint32_t>(b[at + 3]) << 24;
}
inline void appendLittle16(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
}
inline void appendLittle32(Bytes& out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// Overwrites a buffer that held secret bytes (PINs) so that it does not linger in memory.
void wipe(Bytes& secret);
void wipe(std::string& secret);
void wipe(void* data, std::size_t size);

// Wipes a buffer when the scope ends, however it ends: for command bytes that may carry a PIN.
class WipeOnExit {
public:
    explicit WipeOnExit(Bytes& bytes) : bytes_(bytes) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { wipe(bytes_); }

private:
    Bytes& bytes_;
};

} // namespace kamusm
