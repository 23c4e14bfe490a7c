// The HTTP conventions of the API: strict JSON request bodies, JSON answers, RFC 7807 problems,
// the client's address behind the trusted proxy, and log-safe paths.
#pragma once

#include "kamusm/server/api_error.hpp"
#include "kamusm/server/http.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string_view>
#include <vector>

namespace kamusm::server {

// One allowed member of a request object.
struct Field {
    enum class Kind { Digits, Hex, Base64, Text, Choice };
    std::string_view name;
    Kind kind;
    std::size_t length = 0; // Digits/Hex: exact characters; Base64/Text: most characters
    std::vector<std::string_view> choices = {};
    bool required = true;
};

// The body as a JSON object whose members are exactly some of `fields` (all required ones), of
// the right kind; an empty body counts as {}. Throws ApiError{InvalidRequest} otherwise, with a
// dedicated message for anything named like a PIN or PUK: the server never takes one.
nlohmann::json parseBody(const Request& request, std::initializer_list<Field> fields);

void sendJson(Response& response, int status, const nlohmann::json& body);
// The problem document of `error`, with the problem's own status unless the HTTP layer refuses
// with one of its own (405, 431): the body's "status" is always the answer's.
void sendProblem(Response& response, const ApiError& error, std::optional<int> status = {});

// The client's address: when the request comes from the trusted reverse proxy, the last entry
// of the X-Forwarded-For lines taken together (the proxy appends the address it saw; whatever
// the client sent stands before it), else the peer address.
std::string clientIp(const Request& request, const std::string& trustedProxy);

// The path with any session id cut to its first 8 digits: the id is a bearer secret.
std::string loggablePath(const std::string& path);

} // namespace kamusm::server
