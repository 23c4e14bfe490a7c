#include "kamusm/iso7816/status.hpp"

#include "kamusm/iso7816/error.hpp"

#include <algorithm>
#include <array>

namespace kamusm::iso7816 {

namespace {

struct StatusEntry {
    std::uint16_t sw;
    std::uint16_t mask; // which bits of the status word must equal `sw`
    const char* meaning;
};

constexpr std::uint16_t exact = 0xFFFF, sw1Only = 0xFF00, sw2HighNibble = 0xFFF0;

// Most specific first: the first matching entry wins.
constexpr StatusEntry statusTable[] = {
    {0x9000, exact, "normal processing"},
    {0x6100, sw1Only, "response bytes still available (SW2 = how many)"},
    {0x6200, exact, "warning: no information given, non-volatile memory unchanged"},
    {0x6281, exact, "warning: part of the returned data may be corrupted"},
    {0x6282, exact, "warning: end of file or record reached before reading Ne bytes"},
    {0x6283, exact, "warning: selected file deactivated"},
    {0x6284, exact, "warning: file control information not formatted per ISO 7816-4"},
    {0x6285, exact, "warning: selected file in termination state"},
    {0x6286, exact, "warning: no input data available from a sensor on the card"},
    {0x6200, sw1Only, "warning: non-volatile memory unchanged"},
    {0x6300, exact, "warning: no information given, non-volatile memory changed"},
    {0x6381, exact, "warning: file filled up by the last write"},
    {0x63C0, sw2HighNibble, "verification failed: SW2 low nibble = further tries allowed"},
    {0x6300, sw1Only, "warning: non-volatile memory changed"},
    {0x6400, exact, "execution error: non-volatile memory unchanged"},
    {0x6401, exact, "execution error: immediate response required by the card"},
    {0x6400, sw1Only, "execution error: non-volatile memory unchanged"},
    {0x6500, exact, "execution error: no information given, non-volatile memory changed"},
    {0x6581, exact, "execution error: memory failure"},
    {0x6500, sw1Only, "execution error: non-volatile memory changed"},
    {0x6600, sw1Only, "execution error: security-related issue"},
    {0x6700, sw1Only, "wrong length"},
    {0x6881, exact, "logical channel not supported"},
    {0x6882, exact, "secure messaging not supported"},
    {0x6883, exact, "last command of the chain expected"},
    {0x6884, exact, "command chaining not supported"},
    {0x6800, sw1Only, "function in CLA not supported"},
    {0x6981, exact, "command incompatible with file structure"},
    {0x6982, exact, "security status not satisfied"},
    {0x6983, exact, "authentication method blocked"},
    {0x6984, exact, "reference data not usable"},
    {0x6985, exact, "conditions of use not satisfied"},
    {0x6986, exact, "command not allowed (no current EF)"},
    {0x6987, exact, "expected secure messaging data objects missing"},
    {0x6988, exact, "incorrect secure messaging data objects"},
    {0x6900, sw1Only, "command not allowed"},
    {0x6A80, exact, "incorrect parameters in the command data field"},
    {0x6A81, exact, "function not supported"},
    {0x6A82, exact, "file or application not found"},
    {0x6A83, exact, "record not found"},
    {0x6A84, exact, "not enough memory space in the file"},
    {0x6A85, exact, "Nc inconsistent with TLV structure"},
    {0x6A86, exact, "incorrect parameters P1-P2"},
    {0x6A87, exact, "Nc inconsistent with parameters P1-P2"},
    {0x6A88, exact, "referenced data or reference data not found"},
    {0x6A89, exact, "file already exists"},
    {0x6A8A, exact, "DF name already exists"},
    {0x6A00, sw1Only, "wrong parameters P1-P2"},
    {0x6B00, sw1Only, "wrong parameters P1-P2 (offset outside the EF)"},
    {0x6C00, sw1Only, "wrong Le field (SW2 = the exact number of available bytes)"},
    {0x6D00, sw1Only, "instruction code not supported or invalid"},
    {0x6E00, sw1Only, "class not supported"},
    {0x6F00, sw1Only, "no precise diagnosis"},
};

struct CategoryRange {
    std::uint8_t firstSw1, lastSw1;
    StatusCategory category;
};

constexpr CategoryRange categoryTable[] = {
    {0x90, 0x90, StatusCategory::Normal},        {0x61, 0x61, StatusCategory::Normal},
    {0x62, 0x63, StatusCategory::Warning},       {0x64, 0x66, StatusCategory::ExecutionError},
    {0x67, 0x6F, StatusCategory::CheckingError},
};

constexpr const char* categoryNames[] = {"normal", "warning", "execution error", "checking error",
                                         "unknown"};

} // namespace

const char* describeStatus(std::uint16_t sw) {
    const auto* entry = std::find_if(std::begin(statusTable), std::end(statusTable),
                                     [sw](const StatusEntry& e) { return (sw & e.mask) == e.sw; });
    return entry == std::end(statusTable) ? "unknown status word" : entry->meaning;
}

StatusCategory statusCategory(std::uint16_t sw) {
    // ISO 7816-4 defines 9000 alone in the 90 group; other 9xxx are proprietary.
    if (sw >> 8 == 0x90 && sw != 0x9000) return StatusCategory::Unknown;
    const auto sw1 = static_cast<std::uint8_t>(sw >> 8);
    for (const CategoryRange& range : categoryTable)
        if (sw1 >= range.firstSw1 && sw1 <= range.lastSw1) return range.category;
    return StatusCategory::Unknown;
}

const char* categoryName(StatusCategory category) {
    return categoryNames[static_cast<std::size_t>(category)];
}

std::optional<int> retriesLeft(std::uint16_t sw) {
    if ((sw & sw2HighNibble) != 0x63C0) return std::nullopt;
    return sw & 0x0F;
}

std::string formatStatus(std::uint16_t sw) {
    const std::uint8_t bytes[] = {static_cast<std::uint8_t>(sw >> 8),
                                  static_cast<std::uint8_t>(sw)};
    return toHex(bytes) + " (" + describeStatus(sw) + ")";
}

void requireSuccess(const ResponseApdu& response, const char* command) {
    if (!response.ok())
        throw Error(ErrorCode::UnexpectedStatus,
                    std::string(command) + " answered " + formatStatus(response.sw()));
}

} // namespace kamusm::iso7816
