// What the desktop helper's host refuses or fails at itself, as opposed to PC/SC failures
// (pcsc::Error), which it passes on with their SmartCardError.responseCode.
#pragma once

#include "kamusm/base/error.hpp"

#include <string_view>

namespace kamusm::helper {

enum class ErrorCode {
    TooLarge,      // a message over the size limit: the stream cannot be trusted any more
    Malformed,     // not a JSON object, or a member missing or of the wrong type
    UnknownMethod, // a method the host does not serve
    UnknownHandle, // no such context or connection (never made, or released)
    Refused,       // the host's policy: a PUK command, a control code, an attribute
    RateLimited,   // more messages than the host takes per second
    TooMany,       // more contexts or connections than the host keeps open at once
    Aborted,       // the page cancelled the call (its AbortSignal)
};
inline constexpr int errorCodeCount = static_cast<int>(ErrorCode::Aborted) + 1;

// The error's name on the wire: a DOMException name, or a SmartCardError responseCode where
// PC/SC has one ("server-too-busy"); see protocol.hpp.
std::string_view wireName(ErrorCode code);
// Whether wireName is a SmartCardError responseCode rather than a DOMException name.
bool isResponseCode(ErrorCode code);

inline constexpr char layerName[] = "helper";
using Error = LayerError<ErrorCode, layerName>;

} // namespace kamusm::helper
