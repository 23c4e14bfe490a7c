// Status words SW1SW2 (ISO/IEC 7816-4 §5.1.3, Tables 5 and 6): what they mean, and the check
// that turns an unexpected one into iso7816::Error{UnexpectedStatus}.
#pragma once

#include "kamusm/iso7816/apdu.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kamusm::iso7816 {

enum class StatusCategory {
    Normal,         // 9000, 61xx
    Warning,        // 62xx, 63xx: processed, with a warning
    ExecutionError, // 64xx, 65xx, 66xx: the command failed while running
    CheckingError,  // 67xx .. 6Fxx: the command was refused before running
    Unknown,        // anything else (proprietary)
};

// The meaning of a status word; "unknown status word" when no entry matches.
const char* describeStatus(std::uint16_t sw);
StatusCategory statusCategory(std::uint16_t sw);
const char* categoryName(StatusCategory category); // "normal", "warning", ...

// 63Cx: x further tries allowed.
std::optional<int> retriesLeft(std::uint16_t sw);

// "6A82 (file or application not found)".
std::string formatStatus(std::uint16_t sw);

// Throws Error{UnexpectedStatus} naming the command and the status word unless it is 9000.
void requireSuccess(const ResponseApdu& response, const char* command);

} // namespace kamusm::iso7816
