// The async HTTP interface the backend client talks through: fetch() in the browser, cpp-httplib
// natively (backend/httplib_client.hpp), a fake in tests.
#pragma once

#include "kamusm/base/task.hpp"

#include <map>
#include <string>

namespace kamusm::backend {

struct HttpRequest {
    std::string method; // "GET", "POST"
    std::string path;   // absolute path on the backend, e.g. "/api/v1/sessions"
    std::string body;
    std::map<std::string, std::string> headers;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // names in lower case
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Answers every status the server sends; throws backend::Error{Network|Timeout} when there is
    // no answer at all.
    virtual Task<HttpResponse> send(HttpRequest request) = 0;
};

} // namespace kamusm::backend
