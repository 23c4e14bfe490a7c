#include "kamusm/helper/protocol.hpp"

#include "kamusm/helper/error.hpp"
#include "kamusm/pcsc/dictionaries.hpp"

#include <array>
#include <limits>

namespace kamusm::helper {

namespace {

using nlohmann::json;

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

const json& member(const json& message, const char* name) {
    const auto found = message.find(name);
    if (found == message.end()) malformed(std::string("no \"") + name + "\"");
    return *found;
}

// Replacement characters rather than an exception, should a reader name or a message carry
// bytes that are not UTF-8.
std::string dump(const json& message) {
    return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string_view methodName(Method method) {
    return methods[static_cast<std::size_t>(method)].second;
}

Request parseRequest(std::string_view text, std::optional<RequestId>& idSeen) {
    json message = json::parse(text, nullptr, false);
    if (message.is_discarded()) malformed("the message is not JSON");
    if (!message.is_object()) malformed("the message is not a JSON object");
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

std::uint32_t numberMember(const json& message, const char* name) {
    const json& value = member(message, name);
    if (!value.is_number_unsigned() ||
        value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
        malformed(std::string("\"") + name + "\" is not a 32-bit number");
    return value.get<std::uint32_t>();
}

std::string stringMember(const json& message, const char* name) {
    const json& value = member(message, name);
    if (!value.is_string()) malformed(std::string("\"") + name + "\" is not a string");
    return value.get<std::string>();
}

RequestId idMember(const json& message, const char* name) {
    const json& value = member(message, name);
    if (!value.is_number_unsigned()) malformed(std::string("\"") + name + "\" is not an id");
    return value.get<RequestId>();
}

Bytes bytesMember(const json& message, const char* name, bool optional) {
    if (optional && !message.contains(name)) return {};
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

std::string resultMessage(RequestId id, const json& result) {
    return dump(json{{"id", id}, {"result", result}});
}

std::string errorMessage(std::optional<RequestId> id, const WireError& error) {
    json body{{error.responseCode ? "responseCode" : "name", error.name},
              {"message", error.message}};
    if (error.scard) body["scard"] = *error.scard;
    return dump(json{{"id", id ? json(*id) : json(nullptr)}, {"error", body}});
}

} // namespace kamusm::helper
