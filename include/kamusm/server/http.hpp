// The HTTP messages the routes see, free of the server library: a parsed request and the
// answer a handler fills in.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kamusm::server {

enum class Method { Get, Head, Post, Put, Options, Other };

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    Method method = Method::Other;
    std::string path; // percent-decoded, without the query
    Headers headers;  // in the order they came
    std::string body;
    std::string peer;                 // the TCP peer's address
    std::vector<std::string> matches; // the route pattern's groups

    // The first line named `name` (case-insensitive), or "".
    std::string header(std::string_view name) const;
    // Every line named `name`, in order.
    std::vector<std::string> headerLines(std::string_view name) const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    // Instead of `body`: content the server keeps (a static file), sent without a copy, so that
    // many slow downloads of the app hold one copy of it.
    std::shared_ptr<const std::string> sharedBody;

    void setHeader(std::string name, std::string value);
};

using Handler = std::function<void(const Request&, Response&)>;

bool equalsIgnoringCase(std::string_view a, std::string_view b);

} // namespace kamusm::server
