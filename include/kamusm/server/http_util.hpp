// The HTTP conventions of the API: strict JSON request bodies, JSON answers, RFC 7807 problems,
// and the handler wrapper that turns exceptions into problems without leaking internals.
#pragma once

#include "kamusm/server/api_error.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>
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
nlohmann::json parseBody(const httplib::Request& request, std::initializer_list<Field> fields);

void sendJson(httplib::Response& response, int status, const nlohmann::json& body);
void sendProblem(httplib::Response& response, const ApiError& error);

// The client's address: the last X-Forwarded-For entry when the request comes from the trusted
// reverse proxy (what the rate limits and the audit log count), else the peer address.
std::string clientIp(const httplib::Request& request, const std::string& trustedProxy);

// The path with any session id cut to its first 8 digits: the id is a bearer secret.
std::string loggablePath(const std::string& path);

// Runs `handler`, answering ApiError with its problem and any other exception with a bare 500.
httplib::Server::Handler
guarded(std::function<void(const httplib::Request&, httplib::Response&)> handler);

} // namespace kamusm::server
