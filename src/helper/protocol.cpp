#include "kamusm/helper/protocol.hpp"

#include "kamusm/helper/error.hpp"
#include "kamusm/pcsc/dictionaries.hpp"

#include <array>
#include <limits>

namespace kamusm::helper {

namespace {

using json::Value;

constexpr std::array<std::pair<Method, std::string_view>, methodCount> methods{{
    {Method::EstablishContext, "establishContext"},
    {Method::ReleaseContext, "releaseContext"},
    {Method::ListReaders, "listReaders"},
    {Method::GetStatusChange, "getStatusChange"},
    {Method::Cancel, "cancel"},
    {Method::Connect, "connect"},
    {Method::Transmit, "transmit"},
    {Method::StartTransaction, "startTransaction"},
    {Method::EndTransaction, "endTransaction"},
    {Method::Status, "status"},
    {Method::Disconnect, "disconnect"},
    {Method::Control, "control"},
    {Method::SetAttribute, "setAttribute"},
}};

constexpr bool methodsInOrder() {
    for (std::size_t i = 0; i < methods.size(); ++i)
        if (static_cast<std::size_t>(methods[i].first) != i) return false;
    return true;
}
static_assert(methodsInOrder(), "one name per Method, in the enum's order");

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorCode::Malformed, what);
}

const Value& member(const Value& message, const char* name) {
    const Value* found = message.find(name);
    if (!found) malformed(std::string("no \"") + name + "\"");
    return *found;
}

} // namespace

std::string_view methodName(Method method) {
    return methods[static_cast<std::size_t>(method)].second;
}

Request parseRequest(std::string_view text, std::optional<RequestId>& idSeen) {
    std::optional<Value> parsed = json::parse(text);
    if (!parsed) malformed("the message is not JSON");
    if (!parsed->isObject()) malformed("the message is not a JSON object");
    Value& message = *parsed;
    Request request;
    request.id = idMember(message, "id");
    idSeen = request.id;
    const std::string name = stringMember(message, "method");
    bool known = false;
    for (const auto& [method, candidate] : methods)
        if (candidate == name) request.method = method, known = true;
    if (!known) throw Error(ErrorCode::UnknownMethod, "no method \"" + name + "\"");
    request.message = std::move(message);
    return request;
}

std::uint32_t numberMember(const Value& message, const char* name) {
    const std::optional<std::int64_t> value = member(message, name).integer();
    if (!value || *value < 0 || *value > std::numeric_limits<std::uint32_t>::max())
        malformed(std::string("\"") + name + "\" is not a 32-bit number");
    return static_cast<std::uint32_t>(*value);
}

std::string stringMember(const Value& message, const char* name) {
    const std::optional<std::string_view> value = member(message, name).string();
    if (!value) malformed(std::string("\"") + name + "\" is not a string");
    return std::string(*value);
}

// Page ids are JavaScript numbers: integers below 2^53.
RequestId idMember(const Value& message, const char* name) {
    const std::optional<std::int64_t> value = member(message, name).integer();
    if (!value || *value < 0) malformed(std::string("\"") + name + "\" is not an id");
    return static_cast<RequestId>(*value);
}

Bytes bytesMember(const Value& message, const char* name, bool optional) {
    if (optional && !message.find(name)) return {};
    try {
        return pcsc::bytesOf(member(message, name));
    } catch (const pcsc::Error&) {
        malformed(std::string("\"") + name + "\" is not an array of bytes");
    }
}

WireError wireErrorOf(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const pcsc::Error& error) {
        return {std::string(pcsc::responseCode(error.code())), pcsc::isResponseCode(error.code()),
                error.what(), error.scardError()};
    } catch (const Error& error) {
        return {std::string(wireName(error.code())), isResponseCode(error.code()), error.what(),
                std::nullopt};
    } catch (const std::exception& error) {
        return {"unknown-error", true, error.what(), std::nullopt};
    }
}

// Value::dump writes U+FFFD for bytes that are not UTF-8 (a reader's name, a PC/SC message).
std::string resultMessage(RequestId id, const Value& result) {
    return Value::object({{"id", id}, {"result", result}}).dump();
}

std::string errorMessage(std::optional<RequestId> id, const WireError& error) {
    Value body = Value::object(
        {{error.responseCode ? "responseCode" : "name", error.name}, {"message", error.message}});
    if (error.scard) body.set("scard", *error.scard);
    return Value::object({{"id", id ? Value(*id) : Value()}, {"error", body}}).dump();
}

} // namespace kamusm::helper
