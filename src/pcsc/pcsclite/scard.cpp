// The tables between PC/SC's numeric values and pcsc::Context's types, in one place.
#include "scard.hpp"

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace kamusm::pcsc::scard {

namespace {

std::string describe(LONG result) {
    std::array<char, 16> code{};
    std::snprintf(code.data(), code.size(), "0x%08lX",
                  static_cast<unsigned long>(static_cast<std::uint32_t>(result)));
#ifdef PCSCLITE_VERSION_NUMBER
    // pcsc-lite's own text ("Card was removed.") is the clearest for Linux users.
    return std::string(pcsc_stringify_error(result)) + " (" + code.data() + ")";
#else
    return code.data();
#endif
}

struct StateBit {
    DWORD bit;
    bool ReaderStateFlags::*flag;
};
// SCARD_STATE_UNAWARE is the value 0, not a bit; SCARD_STATE_ATRMATCH has no flag (no ATR
// masks are given in).
constexpr std::array<StateBit, 10> stateBits{{
    {SCARD_STATE_IGNORE, &ReaderStateFlags::ignore},
    {SCARD_STATE_CHANGED, &ReaderStateFlags::changed},
    {SCARD_STATE_UNKNOWN, &ReaderStateFlags::unknown},
    {SCARD_STATE_UNAVAILABLE, &ReaderStateFlags::unavailable},
    {SCARD_STATE_EMPTY, &ReaderStateFlags::empty},
    {SCARD_STATE_PRESENT, &ReaderStateFlags::present},
    {SCARD_STATE_EXCLUSIVE, &ReaderStateFlags::exclusive},
    {SCARD_STATE_INUSE, &ReaderStateFlags::inuse},
    {SCARD_STATE_MUTE, &ReaderStateFlags::mute},
    {SCARD_STATE_UNPOWERED, &ReaderStateFlags::unpowered},
}};

constexpr std::array<std::pair<AccessMode, DWORD>, 3> shareModes{{
    {AccessMode::Shared, SCARD_SHARE_SHARED},
    {AccessMode::Exclusive, SCARD_SHARE_EXCLUSIVE},
    {AccessMode::Direct, SCARD_SHARE_DIRECT},
}};

constexpr std::array<std::pair<Protocol, DWORD>, 3> protocols{{
    {Protocol::T1, SCARD_PROTOCOL_T1},
    {Protocol::T0, SCARD_PROTOCOL_T0},
    {Protocol::Raw, SCARD_PROTOCOL_RAW},
}};

constexpr std::array<std::pair<Disposition, DWORD>, 4> dispositions{{
    {Disposition::Leave, SCARD_LEAVE_CARD},
    {Disposition::Reset, SCARD_RESET_CARD},
    {Disposition::Unpower, SCARD_UNPOWER_CARD},
    {Disposition::Eject, SCARD_EJECT_CARD},
}};

// SCardStatus's card state, most advanced first: pcsc-lite reports bits that accumulate
// (a powered card is also present), WinSCard one value of an enumeration.
constexpr std::array<std::pair<DWORD, ConnectionStatus::State>, 5> cardStates{{
    {SCARD_SPECIFIC, ConnectionStatus::State::Specific},
    {SCARD_NEGOTIABLE, ConnectionStatus::State::Negotiable},
    {SCARD_POWERED, ConnectionStatus::State::Powered},
    {SCARD_SWALLOWED, ConnectionStatus::State::Swallowed},
    {SCARD_PRESENT, ConnectionStatus::State::Present},
}};

bool hasCardState(DWORD state, DWORD value) {
#ifdef _WIN32
    return state == value;
#else
    return (state & value) != 0;
#endif
}

template <typename Key, typename Value, std::size_t n>
Value lookup(const std::array<std::pair<Key, Value>, n>& table, Key key) {
    for (const auto& [from, to] : table)
        if (from == key) return to;
    return table.front().second;
}

} // namespace

void fail(LONG result, std::string_view call) {
    throw Error(errorCodeForScard(static_cast<std::uint32_t>(result)),
                std::string(call) + ": " + describe(result), static_cast<std::uint32_t>(result));
}

void check(LONG result, std::string_view call) {
    if (result != SCARD_S_SUCCESS) fail(result, call);
}

DWORD encodeState(const ReaderStateFlags& flags, std::optional<std::uint32_t> count) {
    if (flags.unaware) return SCARD_STATE_UNAWARE;
    DWORD state = count ? static_cast<DWORD>(*count & 0xFFFF) << 16 : 0;
    for (const StateBit& row : stateBits)
        if (flags.*row.flag && row.bit != SCARD_STATE_CHANGED) state |= row.bit;
    return state;
}

ReaderStateFlags decodeState(DWORD state) {
    ReaderStateFlags flags;
    for (const StateBit& row : stateBits)
        flags.*row.flag = (state & row.bit) != 0;
    return flags;
}

std::optional<std::uint32_t> decodeCount(DWORD state) {
    return static_cast<std::uint32_t>(state >> 16 & 0xFFFF);
}

DWORD shareMode(AccessMode mode) {
    return lookup(shareModes, mode);
}

DWORD protocolMask(const std::vector<Protocol>& wanted) {
    DWORD mask = 0;
    for (Protocol protocol : wanted)
        mask |= lookup(protocols, protocol);
    return mask;
}

std::optional<Protocol> activeProtocol(DWORD mask) {
    for (const auto& [protocol, bit] : protocols)
        if (mask == bit) return protocol;
    return std::nullopt; // SCARD_PROTOCOL_UNDEFINED: a direct connection
}

DWORD disposition(Disposition value) {
    return lookup(dispositions, value);
}

ConnectionStatus::State cardState(DWORD state) {
    for (const auto& [value, mapped] : cardStates)
        if (hasCardState(state, value)) return mapped;
    return ConnectionStatus::State::Absent;
}

} // namespace kamusm::pcsc::scard
