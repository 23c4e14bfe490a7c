#include "kamusm/wizard/pin_policy.hpp"

#include <string>

namespace kamusm::wizard {

namespace {

bool allDigits(std::string_view pin) {
    bool digits = true;
    for (char c : pin)
        digits &= c >= '0' && c <= '9';
    return digits;
}

// Every step between neighbours is the same +1 or -1 (mod 10): 123456, 654321, 890123.
bool straightRun(std::string_view pin, int step) {
    bool run = true;
    for (std::size_t i = 1; i < pin.size(); ++i)
        run &= (pin[i] - pin[i - 1] + 10) % 10 == (step + 10) % 10;
    return run;
}

bool equalTexts(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace

std::optional<PinProblem> checkNewPin(std::string_view pin, const PinPolicy& policy) {
    if (!allDigits(pin)) return PinProblem::NotDigits;
    if (pin.size() < minimumPinLength) return PinProblem::TooShort;
    if (pin.size() > maximumPinLength) return PinProblem::TooLong;
    if (straightRun(pin, 0)) return PinProblem::AllSame;
    if (straightRun(pin, 1) || straightRun(pin, -1)) return PinProblem::StraightRun;
    if (policy.birthYear && pin.find(std::to_string(*policy.birthYear)) != std::string_view::npos)
        return PinProblem::BirthYear;
    return std::nullopt;
}

std::optional<PinProblem> checkNewPin(std::string_view pin, std::string_view repeat,
                                      const PinPolicy& policy) {
    if (auto problem = checkNewPin(pin, policy)) return problem;
    if (!equalTexts(pin, repeat)) return PinProblem::Mismatch;
    return std::nullopt;
}

} // namespace kamusm::wizard
