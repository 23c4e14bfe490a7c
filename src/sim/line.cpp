#include "kamusm/sim/line.hpp"

#include "kamusm/iso7816/atr.hpp"

#include <stdexcept>

namespace kamusm::sim {

int fiOf(std::uint8_t fidi) {
    return iso7816::fiTable[fidi >> 4].fi.value_or(0);
}
int diOf(std::uint8_t fidi) {
    return iso7816::diTable[fidi & 0x0F].value_or(0);
}

double dataRate(std::uint8_t fidi, double clockHz) {
    const int fi = fiOf(fidi), di = diOf(fidi);
    return fi == 0 || di == 0 ? 0 : clockHz * di / fi;
}

void Line::setFidi(std::uint8_t fidi) {
    if (fiOf(fidi) == 0 || diOf(fidi) == 0)
        throw std::invalid_argument("RFU Fi/Di for the card line");
    fidi_ = fidi;
}

double Line::etuSeconds() const {
    return 1.0 / dataRate(fidi_, clockHz_);
}

double Line::seconds(std::size_t count, CharacterFrame frame) const {
    // 12 etu plus the extra guard time; only T=1 with N = 255 goes down to 11 (7816-3 §8.3, §11.2).
    const int etuPerCharacter =
        frame == CharacterFrame::T1 && extraGuardTime_ == 255 ? 11 : 12 + extraGuardTime_ % 255;
    return static_cast<double>(count) * etuPerCharacter * etuSeconds();
}

} // namespace kamusm::sim
