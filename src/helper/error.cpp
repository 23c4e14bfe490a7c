#include "kamusm/helper/error.hpp"

#include <array>

namespace kamusm::helper {

namespace {

struct Row {
    ErrorCode code;
    std::string_view name;
    bool responseCode;
};
constexpr std::array<Row, errorCodeCount> rows{{
    {ErrorCode::TooLarge, "QuotaExceededError", false},
    {ErrorCode::Malformed, "SyntaxError", false},
    {ErrorCode::UnknownMethod, "NotSupportedError", false},
    {ErrorCode::UnknownHandle, "InvalidStateError", false},
    {ErrorCode::Refused, "NotAllowedError", false},
    {ErrorCode::RateLimited, "server-too-busy", true},
    {ErrorCode::TooMany, "server-too-busy", true},
    {ErrorCode::Aborted, "AbortError", false},
}};

constexpr bool rowsInOrder() {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (static_cast<std::size_t>(rows[i].code) != i) return false;
    return true;
}
static_assert(rowsInOrder(), "one row per ErrorCode, in the enum's order");

} // namespace

std::string_view wireName(ErrorCode code) {
    return rows[static_cast<std::size_t>(code)].name;
}

bool isResponseCode(ErrorCode code) {
    return rows[static_cast<std::size_t>(code)].responseCode;
}

} // namespace kamusm::helper
