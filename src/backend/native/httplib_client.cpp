#include "kamusm/backend/httplib_client.hpp"

#include "kamusm/backend/error.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace kamusm::backend {

struct HttplibClient::Impl {
    httplib::Client client;
    explicit Impl(const std::string& baseUrl) : client(baseUrl) {}
};

HttplibClient::HttplibClient(const std::string& baseUrl, int timeoutSeconds)
    : impl_(std::make_unique<Impl>(baseUrl)) {
    if (!impl_->client.is_valid())
        throw Error(ErrorCode::Network, "not a usable server address: " + baseUrl);
    impl_->client.set_connection_timeout(timeoutSeconds);
    impl_->client.set_read_timeout(timeoutSeconds);
    impl_->client.set_write_timeout(timeoutSeconds);
}

HttplibClient::~HttplibClient() = default;

Task<HttpResponse> HttplibClient::send(HttpRequest request) {
    httplib::Request out;
    out.method = request.method;
    out.path = request.path;
    out.body = std::move(request.body);
    for (const auto& [name, value] : request.headers)
        out.set_header(name, value);

    httplib::Result result = impl_->client.send(out);
    if (!result) {
        httplib::Error error = result.error();
        bool timeout = error == httplib::Error::ConnectionTimeout || error == httplib::Error::Read;
        throw Error(timeout ? ErrorCode::Timeout : ErrorCode::Network,
                    "no answer from the server: " + httplib::to_string(error));
    }
    HttpResponse response{result->status, std::move(result->body), {}};
    for (const auto& [name, value] : result->headers) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        response.headers.emplace(std::move(lower), value);
    }
    co_return response;
}

} // namespace kamusm::backend
