#include "kamusm/helper/apdu_policy.hpp"

#include <array>

namespace kamusm::helper {

namespace {

constexpr std::uint8_t pukReference = 0x82;

enum class Field { Any, P1, P2 };

// A command is refused when its INS matches and the field's value is in [low, high]. Odd INS
// values are the same commands with BER-TLV data (ISO 7816-4 §5.1.2), and the class byte is not
// looked at: a proprietary class must not be a way around the rule.
struct Rule {
    std::uint8_t ins;
    Field field;
    std::uint8_t low, high;
    Refusal refusal;
    std::string_view what;
};
constexpr std::array<Rule, 10> rules{{
    // P1 00: PUK and new PIN; P1 01: PUK only (card-profile.md, ISO 7816-4 §11.5.10).
    {0x2C, Field::P1, 0x00, 0x01, Refusal::UsesPuk, "RESET RETRY COUNTER with the PUK"},
    {0x2D, Field::P1, 0x00, 0x01, Refusal::UsesPuk, "RESET RETRY COUNTER with the PUK"},
    {0x20, Field::P2, pukReference, pukReference, Refusal::UsesPuk, "VERIFY of the PUK"},
    {0x21, Field::P2, pukReference, pukReference, Refusal::UsesPuk, "VERIFY of the PUK"},
    {0x24, Field::P2, pukReference, pukReference, Refusal::UsesPuk,
     "CHANGE REFERENCE DATA of the PUK"},
    {0x25, Field::P2, pukReference, pukReference, Refusal::UsesPuk,
     "CHANGE REFERENCE DATA of the PUK"},
    {0x2C, Field::P2, pukReference, pukReference, Refusal::UsesPuk,
     "RESET RETRY COUNTER of the PUK"},
    {0x2D, Field::P2, pukReference, pukReference, Refusal::UsesPuk,
     "RESET RETRY COUNTER of the PUK"},
    {0xC2, Field::Any, 0x00, 0xFF, Refusal::Envelope, "ENVELOPE"},
    {0xC3, Field::Any, 0x00, 0xFF, Refusal::Envelope, "ENVELOPE"},
}};

constexpr std::uint8_t readerClass = 0xFF;

} // namespace

std::optional<Refused> refusalFor(ByteView command) {
    if (command.size() < 4)
        return Refused{Refusal::NotAnApdu, "not a command APDU (under 4 bytes)"};
    if (command[0] == readerClass)
        return Refused{Refusal::ReaderCommand, "a pseudo-APDU for the reader (CLA FF)"};
    for (const Rule& rule : rules) {
        if (command[1] != rule.ins) continue;
        const std::uint8_t value = rule.field == Field::P1   ? command[2]
                                   : rule.field == Field::P2 ? command[3]
                                                             : rule.low;
        if (value >= rule.low && value <= rule.high) return Refused{rule.refusal, rule.what};
    }
    return std::nullopt;
}

} // namespace kamusm::helper
