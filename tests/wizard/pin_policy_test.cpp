#include "kamusm/wizard/pin_policy.hpp"

#include <doctest/doctest.h>

using namespace kamusm::wizard;

TEST_CASE("the new-PIN rules, each with its reason") {
    const std::pair<const char*, std::optional<PinProblem>> cases[] = {
        {"24681357", std::nullopt},
        {"135790", std::nullopt},
        {"12345", PinProblem::TooShort},
        {"1234567890123", PinProblem::TooLong},
        {"12a456", PinProblem::NotDigits},
        {"12 456", PinProblem::NotDigits},
        {"", PinProblem::TooShort},
        {"000000", PinProblem::AllSame},
        {"999999999999", PinProblem::AllSame},
        {"123456", PinProblem::StraightRun},
        {"654321", PinProblem::StraightRun},
        {"890123", PinProblem::StraightRun},
        {"3210987", PinProblem::StraightRun},
    };
    for (const auto& row : cases) {
        CAPTURE(row.first);
        CHECK(checkNewPin(row.first) == row.second);
    }
}

TEST_CASE("the holder's birth year is refused when known") {
    const PinPolicy policy{1985};
    CHECK(checkNewPin("198547", policy) == PinProblem::BirthYear);
    CHECK(checkNewPin("471985", policy) == PinProblem::BirthYear);
    CHECK(checkNewPin("198547") == std::nullopt);
}

TEST_CASE("the repeat must match") {
    CHECK(checkNewPin("24681357", "24681357") == std::nullopt);
    CHECK(checkNewPin("24681357", "24681358") == PinProblem::Mismatch);
    CHECK(checkNewPin("24681357", "2468135") == PinProblem::Mismatch);
    CHECK(checkNewPin("123456", "123456") == PinProblem::StraightRun);
}
