// Every exchange the server tests make is checked against src/server/openapi.yaml: by
// tests/contract/check-stream.mjs (the one implementation of the check, which the browser tests
// and the conformance kit use too), one node process per test program.
#pragma once

#include "kamusm/backend/http.hpp"

#include <httplib.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::test {

struct Exchange {
    std::string method;
    std::string path;
    // The request's headers and body; unset when only its request line is known (raw bytes).
    std::optional<backend::HttpRequest> request;
    int status = 0;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
};

// What in the exchange the document does not allow (empty when nothing). Throws
// std::runtime_error when the checker cannot run (node or tests/contract's npm packages missing).
std::vector<std::string> contractViolations(const Exchange& exchange);

// A doctest CHECK that the exchange keeps to the document.
void checkContract(const Exchange& exchange);

// An HttpClient that checks each exchange it carries.
class ContractCheckedClient : public backend::HttpClient {
public:
    explicit ContractCheckedClient(backend::HttpClient& inner) : inner_(inner) {}
    Task<backend::HttpResponse> send(backend::HttpRequest request) override;

private:
    backend::HttpClient& inner_;
};

// A client for `url` that checks each exchange it makes (through its logger).
httplib::Client checkedClient(const std::string& url);

} // namespace kamusm::test
