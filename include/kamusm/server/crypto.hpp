// The server's cryptography over mbedTLS: randomness, the unblock cryptogram of card-profile.md,
// password hashing and constant-time comparison.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace kamusm::server {

// A CTR-DRBG seeded from the system's entropy, shared and locked; usable as mbedTLS's f_rng.
int randomCallback(void* unused, unsigned char* output, std::size_t length);
Bytes randomBytes(std::size_t count);
// `count` uniformly random decimal digits (verification and SMS codes).
std::string randomDigits(std::size_t count);

Bytes sha256(ByteView data);
Bytes aesCmac(ByteView key, ByteView message);

// K = AES-CMAC(MK, 01 || "PINUNBLOCK" || 00 || serial || 00 80).
Bytes cardKey(ByteView masterKey, std::string_view serial);
// C = AES-CMAC(K, R || serial || 2C 81).
Bytes unblockCryptogram(ByteView masterKey, std::string_view serial, ByteView challenge);

// PBKDF2-HMAC-SHA256, 32-byte output.
Bytes pbkdf2(std::string_view password, ByteView salt, unsigned iterations);

// Compares without an early exit (the length is not secret).
bool constantTimeEqual(ByteView a, ByteView b);
bool constantTimeEqual(std::string_view a, std::string_view b);

} // namespace kamusm::server
