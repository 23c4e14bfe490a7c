#include "kamusm/pcsc/dictionaries.hpp"

#include <array>
#include <string>
#include <utility>

namespace kamusm::pcsc {

namespace {

using json::Value;
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

template <typename Enum, std::size_t size>
std::string_view nameIn(const std::array<std::pair<Enum, std::string_view>, size>& table,
                        Enum value) {
    for (const auto& [candidate, name] : table)
        if (candidate == value) return name;
    return table.front().second;
}

template <typename Enum, std::size_t size>
std::optional<Enum> valueIn(const std::array<std::pair<Enum, std::string_view>, size>& table,
                            std::string_view name) {
    for (const auto& [value, candidate] : table)
        if (candidate == name) return value;
    return std::nullopt;
}

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorCode::UnknownError, "malformed dictionary: " + what);
}

// Member `name` of `object` when present and not null, else nullptr.
const Value* present(const Value& object, std::string_view name) {
    const Value* found = object.find(name);
    return found && !found->isNull() ? found : nullptr;
}

bool flag(const Value& flags, std::string_view name) {
    const Value* found = present(flags, name);
    if (!found) return false;
    if (!found->boolean()) malformed(std::string(name) + " is not a boolean");
    return *found->boolean();
}

std::string text(const Value& object, std::string_view name) {
    const Value* found = present(object, name);
    if (!found) return "";
    if (!found->string()) malformed(std::string(name) + " is not a string");
    return std::string(*found->string());
}

const Value& object(const Value& value, const char* what) {
    if (!value.isObject()) malformed(std::string(what) + " is not an object");
    return value;
}

Value flagsJson(const ReaderStateFlags& flags, bool in) {
    Value out = Value::object();
    for (const FlagRow& row : flagRows)
        if (in ? row.in : row.out) out.set(row.name, flags.*row.flag);
    return out;
}

// An absent flags member is all flags clear.
ReaderStateFlags flagsOf(const Value& state, std::string_view name, bool in) {
    ReaderStateFlags out;
    const Value* found = present(state, name);
    if (!found) return out;
    const Value& flags = object(*found, "a reader state's flags");
    for (const FlagRow& row : flagRows)
        if (in ? row.in : row.out) out.*row.flag = flag(flags, row.name);
    return out;
}

std::optional<std::uint32_t> countOf(const Value& state, std::string_view name) {
    const Value* found = present(state, name);
    if (!found) return std::nullopt;
    const std::optional<std::int64_t> count = found->integer();
    if (!count || *count < 0 || *count > 0xFFFFFFFF)
        malformed(std::string(name) + " is not a 32-bit count");
    return static_cast<std::uint32_t>(*count);
}

// An absent byte string is empty.
Bytes bytesMember(const Value& object, std::string_view name) {
    const Value* found = present(object, name);
    return found ? bytesOf(*found) : Bytes{};
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

Bytes bytesOf(const Value& array) {
    if (!array.isArray()) malformed("a byte string is not an array");
    Bytes bytes;
    bytes.reserve(array.items().size());
    for (const Value& value : array.items()) {
        const std::optional<std::int64_t> byte = value.integer();
        if (!byte || *byte < 0 || *byte > 0xFF)
            malformed("a byte string holds something other than bytes");
        bytes.push_back(static_cast<std::uint8_t>(*byte));
    }
    return bytes;
}

Value bytesJson(ByteView bytes) {
    Value array = Value::array();
    for (const std::uint8_t byte : bytes)
        array.push(byte);
    return array;
}

Value toJson(const ReaderStateIn& state) {
    Value out = Value::object(
        {{"readerName", state.readerName}, {"currentState", flagsJson(state.currentState, true)}});
    if (state.currentCount) out.set("currentCount", *state.currentCount);
    return out;
}

Value toJson(const ReaderStateOut& state) {
    Value out = Value::object({{"readerName", state.readerName},
                               {"eventState", flagsJson(state.eventState, false)},
                               {"answerToReset", bytesJson(state.answerToReset)}});
    if (state.eventCount) out.set("eventCount", *state.eventCount);
    return out;
}

Value toJson(const ConnectionStatus& status) {
    const std::string_view state = status.state == State::Specific && status.activeProtocol
                                       ? nameOf(*status.activeProtocol)
                                       : nameIn(connectionStates, status.state);
    return Value::object({{"readerName", status.readerName},
                          {"state", state},
                          {"answerToReset", bytesJson(status.answerToReset)}});
}

ReaderStateIn readerStateIn(const Value& value) {
    const Value& state = object(value, "SmartCardReaderStateIn");
    ReaderStateIn in;
    in.readerName = text(state, "readerName");
    in.currentState = flagsOf(state, "currentState", true);
    in.currentCount = countOf(state, "currentCount");
    return in;
}

ReaderStateOut readerStateOut(const Value& value) {
    const Value& state = object(value, "SmartCardReaderStateOut");
    ReaderStateOut out;
    out.readerName = text(state, "readerName");
    out.eventState = flagsOf(state, "eventState", false);
    out.eventCount = countOf(state, "eventCount");
    out.answerToReset = bytesMember(state, "answerToReset");
    return out;
}

ConnectionStatus connectionStatus(const Value& value) {
    const Value& status = object(value, "SmartCardConnectionStatus");
    ConnectionStatus out;
    out.readerName = text(status, "readerName");
    const std::string state = text(status, "state");
    if (const auto protocol = protocolNamed(state)) {
        out.state = State::Specific;
        out.activeProtocol = protocol;
    } else if (const auto plain = valueIn(connectionStates, state)) {
        out.state = *plain;
    } else {
        malformed("unknown connection state \"" + state + "\"");
    }
    out.answerToReset = bytesMember(status, "answerToReset");
    return out;
}

} // namespace kamusm::pcsc
