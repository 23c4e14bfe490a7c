// The wire-time model of the card line (ISO/IEC 7816-3 §7.1, §10.2): one elementary time unit is
// etu = Fi / (Di · f); a character takes 12 etu plus the extra guard time of TC1 (11 etu at T=1
// when TC1 is 255). The simulator never sleeps: it only adds the time up.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kamusm::sim {

enum class CharacterFrame { T0, T1 }; // T0 also frames the ATR and PPS

// The rate of one slot's line: Fi/Di from a TA1-style byte (high nibble FI, low nibble DI).
class Line {
public:
    static constexpr std::uint8_t defaultFidi = 0x11; // Fi 372, Di 1

    explicit Line(double clockHz) : clockHz_(clockHz) {}

    // Power-on and deactivation return the line to defaultFidi. Throws std::invalid_argument for an
    // RFU Fi or Di (callers validate first).
    void setFidi(std::uint8_t fidi);
    std::uint8_t fidi() const { return fidi_; }
    // TC1 of the card's ATR: N extra etu after each character; at T=1, 255 means 11 etu in all.
    void setExtraGuardTime(int n) { extraGuardTime_ = n; }
    double clockHz() const { return clockHz_; }

    double etuSeconds() const;
    // The time `count` characters take at the rate in force.
    double seconds(std::size_t count, CharacterFrame frame) const;

private:
    double clockHz_;
    std::uint8_t fidi_ = defaultFidi;
    int extraGuardTime_ = 0;
};

// Fi and Di of a TA1-style byte (ISO/IEC 7816-3 tables 7 and 8); 0 for RFU.
int fiOf(std::uint8_t fidi);
int diOf(std::uint8_t fidi);
// Bits per second at `clockHz` for `fidi` (clock · Di / Fi); 0 when either is RFU.
double dataRate(std::uint8_t fidi, double clockHz);

} // namespace kamusm::sim
