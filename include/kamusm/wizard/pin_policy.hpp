// The rules a new PIN must meet before it goes to the card, each with a reason the user is told.
// The card itself only checks 6–12 digits; the rest guards against PINs that are easy to guess.
#pragma once

#include <optional>
#include <string_view>

namespace kamusm::wizard {

enum class PinProblem {
    TooShort,    // fewer than 6 digits
    TooLong,     // more than 12 digits
    NotDigits,   // anything but 0–9
    AllSame,     // 111111
    StraightRun, // 123456, 987654 (also wrapping: 890123)
    BirthYear,   // contains the holder's year of birth
    Mismatch,    // the repeat differs
};

struct PinPolicy {
    std::optional<int> birthYear; // when the holder's is known
};

// The first problem of `pin`, or nullopt when it is acceptable. Runs in constant time in the
// PIN's content for a given length, so that timing tells nothing about the digits.
std::optional<PinProblem> checkNewPin(std::string_view pin, const PinPolicy& policy = {});
// checkNewPin, then that `repeat` equals `pin`.
std::optional<PinProblem> checkNewPin(std::string_view pin, std::string_view repeat,
                                      const PinPolicy& policy = {});

inline constexpr std::size_t minimumPinLength = 6;
inline constexpr std::size_t maximumPinLength = 12;

} // namespace kamusm::wizard
