// The messages between the page and the helper's host, relayed unchanged by the extension. They
// mirror the Web Smart Card API (WICG web-smart-card): the methods of SmartCardContext and
// SmartCardConnection, their dictionaries as JSON (pcsc/dictionaries.hpp), byte strings as
// arrays of numbers. Every request carries the page's id, echoed in its one answer:
//
//   → {"id": 1, "method": "establishContext"}            ← {"id": 1, "result": {"context": 1}}
//   → {"id": 2, "method": "listReaders", "context": 1}   ← {"id": 2, "result": {"readers": [...]}}
//   → {"id": 3, "method": "getStatusChange", "context": 1, "readerStates": [StateIn...],
//      "timeout": ms (optional)}                          ← {"result": {"readerStates": [Out...]}}
//   → {"id": 4, "method": "cancel", "request": 3}        (ends request 3: it answers AbortError)
//   → {"method": "connect", "context": 1, "reader": "...", "accessMode": "shared",
//      "preferredProtocols": ["t1", "t0"]}                ← {"connection": 7, "activeProtocol":
//      "t1"}
//   → {"method": "transmit", "connection": 7, "command": [0, 164, ...]}  ← {"response": [...]}
//   → startTransaction {connection}, endTransaction {connection, disposition},
//     status {connection} (← SmartCardConnectionStatus), disconnect {connection, disposition},
//     control {connection, controlCode, data}, setAttribute (always refused),
//     releaseContext {context}
//
// A failure answers {"id": n, "error": {"responseCode": "removed-card", "message": "...",
// "scard": 2148532329}} for a SmartCardError, {"id": n, "error": {"name": "NotAllowedError",
// "message": "..."}} otherwise; "id" is null when the request had none that could be read.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/json.hpp"

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace kamusm::helper {

enum class Method {
    EstablishContext,
    ReleaseContext,
    ListReaders,
    GetStatusChange,
    Cancel,
    Connect,
    Transmit,
    StartTransaction,
    EndTransaction,
    Status,
    Disconnect,
    Control,
    SetAttribute,
};
inline constexpr int methodCount = static_cast<int>(Method::SetAttribute) + 1;
std::string_view methodName(Method method);

using RequestId = std::uint64_t;

struct Request {
    RequestId id = 0;
    Method method = Method::EstablishContext;
    json::Value message; // the whole object, for the method's members
};

// Throws helper::Error{Malformed} (not JSON, not an object, no usable id) or {UnknownMethod};
// `idSeen` is set as soon as the id could be read, so that the failure can still be answered.
Request parseRequest(std::string_view text, std::optional<RequestId>& idSeen);

// A method's members, read strictly: helper::Error{Malformed} when missing or mistyped.
// A 32-bit unsigned number: a handle, a control code.
std::uint32_t numberMember(const json::Value& message, const char* name);
std::string stringMember(const json::Value& message, const char* name);
RequestId idMember(const json::Value& message, const char* name);
// A byte string (an array of numbers 0–255); empty when absent and `optional`.
Bytes bytesMember(const json::Value& message, const char* name, bool optional = false);

struct WireError {
    std::string name; // a SmartCardError responseCode or a DOMException name
    bool responseCode = false;
    std::string message;
    std::optional<std::int64_t> scard; // the PC/SC return value, when a native stack gave one
};

// What a failure is called on the wire: pcsc::Error by its responseCode (or DOMException name),
// helper::Error by its wireName, anything else "unknown-error".
WireError wireErrorOf(std::exception_ptr failure);

std::string resultMessage(RequestId id, const json::Value& result);
std::string errorMessage(std::optional<RequestId> id, const WireError& error);

} // namespace kamusm::helper
