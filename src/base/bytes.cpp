#include "kamusm/base/bytes.hpp"

#include <cctype>
#include <stdexcept>

#if __has_include(<mbedtls/platform_util.h>)
#include <mbedtls/platform_util.h>
#define KAMUSM_ZEROIZE mbedtls_platform_zeroize
#endif

namespace kamusm {

std::string toHex(ByteView bytes, char separator) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string text;
    text.reserve(bytes.size() * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0 && separator != '\0') text.push_back(separator);
        text.push_back(digits[bytes[i] >> 4]);
        text.push_back(digits[bytes[i] & 0x0F]);
    }
    return text;
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes fromHex(std::string_view text) {
    Bytes bytes;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        int value = nibble(c);
        if (value < 0) throw std::invalid_argument(std::string("not a hex digit: '") + c + "'");
        if (high < 0) {
            high = value;
        } else {
            bytes.push_back(static_cast<std::uint8_t>(high << 4 | value));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd number of hex digits");
    return bytes;
}

// mbedTLS's zeroize where it is linked; otherwise volatile stores, which the compiler cannot
// drop for a buffer that is about to die.
void wipe(void* data, std::size_t size) {
#ifdef KAMUSM_ZEROIZE
    KAMUSM_ZEROIZE(data, size);
#else
    volatile auto* p = static_cast<volatile unsigned char*>(data);
    while (size--)
        *p++ = 0;
#endif
}

void wipe(Bytes& secret) {
    wipe(secret.data(), secret.capacity());
    secret.clear();
}

void wipe(std::string& secret) {
    wipe(secret.data(), secret.capacity());
    secret.clear();
}

} // namespace kamusm
