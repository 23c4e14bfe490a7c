// Standard base64 (RFC 4648 §4, with padding) for the DER blobs the API carries.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <string>
#include <string_view>

namespace kamusm::backend {

std::string toBase64(ByteView bytes);
// Throws std::invalid_argument on a character outside the alphabet, bad padding or length.
Bytes fromBase64(std::string_view text);

} // namespace kamusm::backend
