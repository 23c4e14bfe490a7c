// pinctl campaign's command line.
#pragma once

#include "plan.hpp"

#include "../commands.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kamusm::cli::campaign {

struct Options {
    std::uint64_t runs = 0;
    std::uint64_t seed = 0;
    std::optional<std::uint64_t> only; // --run I: that run alone, told in detail
    Filters filters;
    std::string filterArguments; // as given, for the replay command of a violation
};

extern const char* const usage;

// Nullopt (after printing why) on bad input.
std::optional<Options> parseOptions(const Arguments& arguments);

} // namespace kamusm::cli::campaign
