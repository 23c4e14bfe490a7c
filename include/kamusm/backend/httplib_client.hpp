// The native HttpClient over cpp-httplib (pinctl, tests). It answers synchronously, so
// runSync() drives BackendClient through it.
#pragma once

#include "kamusm/backend/http.hpp"

#include <memory>

namespace kamusm::backend {

class HttplibClient : public HttpClient {
public:
    // "http://127.0.0.1:8080"; timeoutSeconds bounds connect, read and write.
    explicit HttplibClient(const std::string& baseUrl, int timeoutSeconds = 10);
    ~HttplibClient() override;
    Task<HttpResponse> send(HttpRequest request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kamusm::backend
