#pragma once

#include "kamusm/base/error.hpp"

namespace kamusm::iso7816 {

enum class ErrorCode {
    MalformedAtr,
    MalformedApdu,     // a command that cannot be encoded (Lc/Le out of range)
    MalformedResponse, // fewer than two bytes, or a TLV that runs past its end
    MalformedTlv,
    UnexpectedStatus, // a status word the caller did not expect (see status.hpp)
};

inline constexpr char layerName[] = "iso7816";
using Error = LayerError<ErrorCode, layerName>;

} // namespace kamusm::iso7816
