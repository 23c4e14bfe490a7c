#include "kamusm/iso7816/atr.hpp"

#include "kamusm/iso7816/error.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace kamusm::iso7816 {

// ISO/IEC 7816-3 Table 7 (Fi, f max) and Table 8 (Di).
const std::array<ClockRateEntry, 16> fiTable = {{
    {372, 4.0},
    {372, 5.0},
    {558, 6.0},
    {744, 8.0},
    {1116, 12.0},
    {1488, 16.0},
    {1860, 20.0},
    {},
    {},
    {512, 5.0},
    {768, 7.5},
    {1024, 10.0},
    {1536, 15.0},
    {2048, 20.0},
    {},
    {},
}};

const std::array<std::optional<int>, 16> diTable = {
    std::nullopt,
    1,
    2,
    4,
    8,
    16,
    32,
    64,
    12,
    20,
    std::nullopt,
    std::nullopt,
    std::nullopt,
    std::nullopt,
    std::nullopt,
    std::nullopt,
};

namespace {

constexpr std::size_t maxAtrSize = 33; // TS + 32 characters (ISO 7816-3 §8.2.1)
constexpr std::uint8_t tsDirect = 0x3B, tsInverse = 0x3F;
constexpr std::uint8_t tsInverseUndecoded = 0x03; // 3F as seen by a direct-convention UART
constexpr int globalBytesProtocol = 15;

[[noreturn]] void malformed(const std::string& reason) {
    throw Error(ErrorCode::MalformedAtr, reason);
}

// Inverse convention: state Z is 0 and the most significant bit goes first.
std::uint8_t fromInverse(std::uint8_t byte) {
    std::uint8_t reversed = 0;
    for (int bit = 0; bit < 8; ++bit)
        if (byte & (1u << bit)) reversed = static_cast<std::uint8_t>(reversed | 0x80u >> bit);
    return static_cast<std::uint8_t>(~reversed);
}

// Reads bytes in order after TS; a missing byte is a truncated ATR. Offsets count from TS.
class Cursor {
public:
    explicit Cursor(ByteView bytes) : bytes_(bytes) {}
    static constexpr std::size_t afterTs = 1;
    std::uint8_t next(const char* what) {
        if (at_ >= bytes_.size())
            malformed(std::string("truncated: ") + what + " missing at offset " +
                      std::to_string(at_ + afterTs));
        return bytes_[at_++];
    }
    std::size_t remaining() const { return bytes_.size() - at_; }

private:
    ByteView bytes_;
    std::size_t at_ = 0;
};

int protocolOf(std::uint8_t td) {
    return td & 0x0F;
}

} // namespace

Atr parseAtr(ByteView bytes) {
    if (bytes.empty()) malformed("empty ATR");
    if (bytes.size() > maxAtrSize)
        malformed(std::to_string(bytes.size()) + " bytes, longer than the 33 an ATR may have");
    Atr atr;
    switch (bytes[0]) {
    case tsDirect:
    case tsInverse: // already decoded by the reader, as PC/SC and CCID report it
        atr.raw.assign(bytes.begin(), bytes.end());
        atr.convention = bytes[0] == tsDirect ? Convention::Direct : Convention::Inverse;
        break;
    case tsInverseUndecoded: // captured bit by bit in direct convention: decode every byte
        atr.raw.resize(bytes.size());
        std::transform(bytes.begin(), bytes.end(), atr.raw.begin(), fromInverse);
        atr.convention = Convention::Inverse;
        break;
    default:
        malformed("TS " + toHex(bytes.subspan(0, 1)) +
                  " is neither 3B (direct) nor 3F / 03 (inverse)");
    }

    Cursor reader(ByteView(atr.raw).subspan(Cursor::afterTs));
    atr.t0 = reader.next("T0");
    // Y1 is T0's high nibble, Yi+1 TDi's: each bit announces TAi, TBi, TCi, TDi.
    std::uint8_t indicator = atr.t0;
    for (bool more = true; more;) {
        InterfaceBytes group;
        const std::string i = std::to_string(atr.groups.size() + 1);
        if (indicator & 0x10) group.ta = reader.next(("TA" + i).c_str());
        if (indicator & 0x20) group.tb = reader.next(("TB" + i).c_str());
        if (indicator & 0x40) group.tc = reader.next(("TC" + i).c_str());
        if (indicator & 0x80) group.td = reader.next(("TD" + i).c_str());
        more = group.td.has_value();
        if (more) indicator = *group.td;
        atr.groups.push_back(group);
    }

    const std::size_t historicalCount = atr.t0 & 0x0F;
    if (reader.remaining() < historicalCount)
        malformed("T0 announces " + std::to_string(historicalCount) + " historical bytes, only " +
                  std::to_string(reader.remaining()) + " follow");
    const auto historicalEnd = atr.raw.end() - static_cast<std::ptrdiff_t>(reader.remaining()) +
                               static_cast<std::ptrdiff_t>(historicalCount);
    atr.historical.assign(historicalEnd - static_cast<std::ptrdiff_t>(historicalCount),
                          historicalEnd);

    const std::size_t trailing = static_cast<std::size_t>(atr.raw.end() - historicalEnd);
    if (trailing > 1) malformed(std::to_string(trailing - 1) + " byte(s) left over after the TCK");
    if (trailing == 1) {
        atr.tck = atr.raw.back();
        std::uint8_t check = 0;
        for (auto it = atr.raw.begin() + 1; it != atr.raw.end(); ++it)
            check ^= *it;
        atr.tckStatus = check == 0 ? TckStatus::Ok : TckStatus::Wrong;
    }
    return atr;
}

std::vector<int> Atr::protocols() const {
    std::vector<int> found;
    for (const InterfaceBytes& group : groups) {
        if (!group.td) continue;
        const int t = protocolOf(*group.td);
        if (t != globalBytesProtocol && std::find(found.begin(), found.end(), t) == found.end())
            found.push_back(t);
    }
    if (found.empty()) found.push_back(0); // T=0 by default
    return found;
}

bool Atr::tckRequired() const {
    const std::vector<int> announced = protocols();
    return std::any_of(announced.begin(), announced.end(), [](int t) { return t != 0; });
}

bool Atr::offers(int protocol) const {
    const std::vector<int> announced = protocols();
    return std::find(announced.begin(), announced.end(), protocol) != announced.end();
}

std::optional<std::uint8_t> Atr::ta1() const {
    return groups.empty() ? std::nullopt : groups[0].ta;
}

std::optional<int> Atr::fi() const {
    const auto ta = ta1();
    return ta ? fiTable[*ta >> 4].fi : 372;
}

std::optional<int> Atr::di() const {
    const auto ta = ta1();
    return ta ? diTable[*ta & 0x0F] : 1;
}

std::optional<double> Atr::fmaxMhz() const {
    const auto ta = ta1();
    return ta ? fiTable[*ta >> 4].fmaxMhz : 5.0;
}

bool Atr::specificMode() const {
    return groups.size() >= 2 && groups[1].ta.has_value();
}

std::optional<int> Atr::specificProtocol() const {
    if (!specificMode()) return std::nullopt;
    return *groups[1].ta & 0x0F;
}

int Atr::extraGuardTime() const {
    return groups.empty() ? 0 : groups[0].tc.value_or(0);
}

int Atr::wi() const {
    return groups.size() >= 2 ? groups[1].tc.value_or(10) : 10;
}

namespace {

// The first TAi / TBi / TCi (i >= 3) of a group that TDi-1 (i-1 >= 2) marked as T=1.
template <typename Member>
std::optional<std::uint8_t> firstForT1(const std::vector<InterfaceBytes>& groups, Member member) {
    for (std::size_t g = 2; g < groups.size(); ++g)
        if (groups[g - 1].td && protocolOf(*groups[g - 1].td) == 1 && groups[g].*member)
            return groups[g].*member;
    return std::nullopt;
}

} // namespace

int Atr::ifsc() const {
    return firstForT1(groups, &InterfaceBytes::ta).value_or(32);
}

int Atr::bwi() const {
    const auto tb = firstForT1(groups, &InterfaceBytes::tb);
    return tb ? *tb >> 4 : 4;
}

int Atr::cwi() const {
    const auto tb = firstForT1(groups, &InterfaceBytes::tb);
    return tb ? *tb & 0x0F : 13;
}

bool Atr::crc() const {
    const auto tc = firstForT1(groups, &InterfaceBytes::tc);
    return tc && (*tc & 0x01) != 0;
}

AtrTiming timing(const Atr& atr, int fi, int di, double clockHz) {
    if (fi <= 0 || di <= 0 || !(clockHz > 0))
        throw std::invalid_argument("timing needs positive Fi, Di and clock");
    constexpr double fd = 372; // BWT counts its 960-etu units at the default Fd (§11.4.3)
    AtrTiming t;
    t.etuSeconds = fi / (di * clockHz);
    t.characterWaitSeconds = (11 + std::ldexp(1.0, atr.cwi())) * t.etuSeconds;
    t.blockWaitSeconds = 11 * t.etuSeconds + std::ldexp(1.0, atr.bwi()) * 960 * fd / clockHz;
    t.workWaitSeconds = atr.wi() * 960.0 * fi / clockHz;
    return t;
}

} // namespace kamusm::iso7816
