#include "kamusm/pcsc/dictionaries.hpp"

#include <array>
#include <string>
#include <utility>

namespace kamusm::pcsc {

namespace {

using nlohmann::json;
using State = ConnectionStatus::State;

constexpr std::array<std::pair<AccessMode, std::string_view>, 3> accessModes{{
    {AccessMode::Shared, "shared"},
    {AccessMode::Exclusive, "exclusive"},
    {AccessMode::Direct, "direct"},
}};
constexpr std::array<std::pair<Protocol, std::string_view>, 3> protocols{{
    {Protocol::Raw, "raw"},
    {Protocol::T0, "t0"},
    {Protocol::T1, "t1"},
}};
constexpr std::array<std::pair<Disposition, std::string_view>, 4> dispositions{{
    {Disposition::Leave, "leave"},
    {Disposition::Reset, "reset"},
    {Disposition::Unpower, "unpower"},
    {Disposition::Eject, "eject"},
}};
// SmartCardConnectionState; "t0", "t1" and "raw" are Specific with that protocol.
constexpr std::array<std::pair<State, std::string_view>, 5> connectionStates{{
    {State::Absent, "absent"},
    {State::Present, "present"},
    {State::Swallowed, "swallowed"},
    {State::Powered, "powered"},
    {State::Negotiable, "negotiable"},
}};

// SmartCardReaderStateFlagsIn / Out: which dictionary has the member.
struct FlagRow {
    std::string_view name;
    bool ReaderStateFlags::*flag;
    bool in;
    bool out;
};
constexpr std::array<FlagRow, 11> flagRows{{
    {"unaware", &ReaderStateFlags::unaware, true, false},
    {"ignore", &ReaderStateFlags::ignore, true, true},
    {"changed", &ReaderStateFlags::changed, false, true},
    {"unavailable", &ReaderStateFlags::unavailable, true, true},
    {"unknown", &ReaderStateFlags::unknown, false, true},
    {"empty", &ReaderStateFlags::empty, true, true},
    {"present", &ReaderStateFlags::present, true, true},
    {"exclusive", &ReaderStateFlags::exclusive, true, true},
    {"inuse", &ReaderStateFlags::inuse, true, true},
    {"mute", &ReaderStateFlags::mute, true, true},
    {"unpowered", &ReaderStateFlags::unpowered, true, true},
}};

template <typename Value, std::size_t size>
std::string_view nameIn(const std::array<std::pair<Value, std::string_view>, size>& table,
                        Value value) {
    for (const auto& [candidate, name] : table)
        if (candidate == value) return name;
    return table.front().second;
}

template <typename Value, std::size_t size>
std::optional<Value> valueIn(const std::array<std::pair<Value, std::string_view>, size>& table,
                             std::string_view name) {
    for (const auto& [value, candidate] : table)
        if (candidate == name) return value;
    return std::nullopt;
}

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorCode::UnknownError, "malformed dictionary: " + what);
}

// Member `name` of `object` as T when present, `fallback` when absent; wrong types are errors.
template <typename T> T member(const json& object, const char* name, T fallback) {
    const auto found = object.find(name);
    if (found == object.end() || found->is_null()) return fallback;
    try {
        return found->get<T>();
    } catch (const json::exception&) {
        malformed(std::string(name) + " has the wrong type");
    }
}

const json& object(const json& value, const char* what) {
    if (!value.is_object()) malformed(std::string(what) + " is not an object");
    return value;
}

json flagsJson(const ReaderStateFlags& flags, bool in) {
    json out = json::object();
    for (const FlagRow& row : flagRows)
        if (in ? row.in : row.out) out[std::string(row.name)] = flags.*row.flag;
    return out;
}

ReaderStateFlags flagsOf(const json& value, bool in) {
    const json& flags = object(value, "a reader state's flags");
    ReaderStateFlags out;
    for (const FlagRow& row : flagRows)
        if (in ? row.in : row.out)
            out.*row.flag = member(flags, std::string(row.name).c_str(), false);
    return out;
}

std::optional<std::uint32_t> countOf(const json& state, const char* name) {
    const auto found = state.find(name);
    if (found == state.end() || found->is_null()) return std::nullopt;
    if (!found->is_number_unsigned() || found->get<std::uint64_t>() > 0xFFFFFFFFU)
        malformed(std::string(name) + " is not a 32-bit count");
    return found->get<std::uint32_t>();
}

} // namespace

std::string_view nameOf(AccessMode mode) {
    return nameIn(accessModes, mode);
}
std::string_view nameOf(Protocol protocol) {
    return nameIn(protocols, protocol);
}
std::string_view nameOf(Disposition disposition) {
    return nameIn(dispositions, disposition);
}
std::optional<AccessMode> accessModeNamed(std::string_view name) {
    return valueIn(accessModes, name);
}
std::optional<Protocol> protocolNamed(std::string_view name) {
    return valueIn(protocols, name);
}
std::optional<Disposition> dispositionNamed(std::string_view name) {
    return valueIn(dispositions, name);
}

Bytes bytesOf(const json& array) {
    if (!array.is_array()) malformed("a byte string is not an array");
    Bytes bytes;
    bytes.reserve(array.size());
    for (const json& value : array) {
        if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 0xFF)
            malformed("a byte string holds something other than bytes");
        bytes.push_back(value.get<std::uint8_t>());
    }
    return bytes;
}

json toJson(const ReaderStateIn& state) {
    json out{{"readerName", state.readerName},
             {"currentState", flagsJson(state.currentState, true)}};
    if (state.currentCount) out["currentCount"] = *state.currentCount;
    return out;
}

json toJson(const ReaderStateOut& state) {
    json out{{"readerName", state.readerName},
             {"eventState", flagsJson(state.eventState, false)},
             {"answerToReset", state.answerToReset}};
    if (state.eventCount) out["eventCount"] = *state.eventCount;
    return out;
}

json toJson(const ConnectionStatus& status) {
    const std::string_view state = status.state == State::Specific && status.activeProtocol
                                       ? nameOf(*status.activeProtocol)
                                       : nameIn(connectionStates, status.state);
    return {{"readerName", status.readerName},
            {"state", state},
            {"answerToReset", status.answerToReset}};
}

ReaderStateIn readerStateIn(const json& value) {
    const json& state = object(value, "SmartCardReaderStateIn");
    ReaderStateIn in;
    in.readerName = member<std::string>(state, "readerName", "");
    in.currentState = flagsOf(state.value("currentState", json::object()), true);
    in.currentCount = countOf(state, "currentCount");
    return in;
}

ReaderStateOut readerStateOut(const json& value) {
    const json& state = object(value, "SmartCardReaderStateOut");
    ReaderStateOut out;
    out.readerName = member<std::string>(state, "readerName", "");
    out.eventState = flagsOf(state.value("eventState", json::object()), false);
    out.eventCount = countOf(state, "eventCount");
    out.answerToReset = bytesOf(state.value("answerToReset", json::array()));
    return out;
}

ConnectionStatus connectionStatus(const json& value) {
    const json& status = object(value, "SmartCardConnectionStatus");
    ConnectionStatus out;
    out.readerName = member<std::string>(status, "readerName", "");
    const auto state = member<std::string>(status, "state", "");
    if (const auto protocol = protocolNamed(state)) {
        out.state = State::Specific;
        out.activeProtocol = protocol;
    } else if (const auto plain = valueIn(connectionStates, state)) {
        out.state = *plain;
    } else {
        malformed("unknown connection state \"" + state + "\"");
    }
    out.answerToReset = bytesOf(status.value("answerToReset", json::array()));
    return out;
}

} // namespace kamusm::pcsc
