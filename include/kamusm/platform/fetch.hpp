// The fetch bridge: backend::HttpClient over the browser's fetch(), same origin by default.
#pragma once

#include "kamusm/backend/http.hpp"

#include <chrono>
#include <string>

namespace kamusm::platform::web {

class FetchHttpClient : public backend::HttpClient {
public:
    // `baseUrl`: "" for the page's own origin, or an absolute URL ("https://api.example/").
    explicit FetchHttpClient(std::string baseUrl = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // Every status comes back as a response. No answer at all: backend::Error{Network}, or
    // {Timeout} after the timeout (the request is aborted). Only GET is retried (once, after a
    // network failure): a repeated POST could send a second SMS or spend a confirmation try.
    Task<backend::HttpResponse> send(backend::HttpRequest request) override;

private:
    std::string baseUrl_;
    std::chrono::milliseconds timeout_;
};

} // namespace kamusm::platform::web
