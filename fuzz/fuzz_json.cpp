// The browser side's JSON parser (base/json): never a crash; what it accepts, nlohmann/json
// accepts too and its own writer writes back to the same text; what nlohmann accepts it accepts
// as well, unless the text nests deeper than 64, has an exponent (which may overflow) or a NUL
// (nlohmann takes it for the end of the text).
#include "kamusm/base/json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::optional<kamusm::json::Value> value = kamusm::json::parse(text);
    const bool theirs = nlohmann::json::accept(text);
    if (value) {
        if (!theirs) __builtin_trap();
        const std::string dumped = value->dump();
        const std::optional<kamusm::json::Value> again = kamusm::json::parse(dumped);
        if (!again || again->dump() != dumped) __builtin_trap();
    } else if (theirs) {
        const auto opens =
            std::count_if(text.begin(), text.end(), [](char c) { return c == '[' || c == '{'; });
        if (opens <= 64 &&
            text.find_first_of(std::string_view("eE\0", 3)) == std::string_view::npos)
            __builtin_trap();
    }
    return 0;
}
