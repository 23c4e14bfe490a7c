// The fetch bridge's C++ half: one request awaited through fetch.js, GET retried once after a
// network failure.
#include "kamusm/platform/fetch.hpp"

#include "kamusm/backend/error.hpp"
#include "kamusm/base/json.hpp"
#include "kamusm/platform/promise.hpp"

extern "C" void kamusm_fetch(int id, const char* url, const char* method, const char* headersJson,
                             const char* body, int bodySize, int timeoutMs);

namespace kamusm::platform::web {

namespace {

using Kind = PromiseOutcome::Kind;

Task<backend::HttpResponse> fetchOnce(const std::string& url, const backend::HttpRequest& request,
                                      std::chrono::milliseconds timeout) {
    json::Value headerObject = json::Value::object();
    for (const auto& [name, value] : request.headers)
        headerObject.set(name, value);
    const std::string headers = headerObject.dump();
    JsPromise promise([&](int id) {
        kamusm_fetch(id, url.c_str(), request.method.c_str(), headers.c_str(), request.body.data(),
                     static_cast<int>(request.body.size()), static_cast<int>(timeout.count()));
    });
    PromiseOutcome outcome = co_await promise;
    if (outcome.kind == Kind::TimedOut)
        throw backend::Error(backend::ErrorCode::Timeout,
                             request.method + " " + request.path + ": no answer within " +
                                 std::to_string(timeout.count()) + " ms");
    if (outcome.kind == Kind::Rejected)
        throw backend::Error(backend::ErrorCode::Network,
                             request.method + " " + request.path + ": " + outcome.text);
    backend::HttpResponse response;
    response.status = outcome.number;
    response.body.assign(outcome.bytes.begin(), outcome.bytes.end());
    const json::Value received = json::parse(outcome.text).value_or(json::Value());
    for (const auto& [name, value] : received.members())
        if (value.string()) response.headers[name] = *value.string();
    co_return response;
}

} // namespace

FetchHttpClient::FetchHttpClient(std::string baseUrl, std::chrono::milliseconds timeout)
    : baseUrl_(std::move(baseUrl)), timeout_(timeout) {
    while (!baseUrl_.empty() && baseUrl_.back() == '/')
        baseUrl_.pop_back(); // request paths start with '/'
}

Task<backend::HttpResponse> FetchHttpClient::send(backend::HttpRequest request) {
    const std::string url = baseUrl_ + request.path;
    const int attempts = request.method == "GET" ? 2 : 1;
    for (int attempt = 1;; ++attempt) {
        try {
            co_return co_await fetchOnce(url, request, timeout_);
        } catch (const backend::Error& error) {
            if (error.code() != backend::ErrorCode::Network || attempt == attempts) throw;
        }
    }
}

} // namespace kamusm::platform::web
