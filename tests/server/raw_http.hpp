// Plain sockets for what an HTTP client library will not do: slow, oversized and forged
// requests, connections from other loopback addresses (127.0.0.2 …), timing one request. Each
// response is checked against src/server/openapi.yaml for the request line it answers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kamusm::test {

struct RawResponse {
    int status = 0;
    std::string head; // status line and headers
    std::string body;
};

class RawConnection {
public:
    // Connects to 127.0.0.1:`port` from `source` (any loopback address); throws on failure.
    explicit RawConnection(int port, const std::string& source = "127.0.0.1");
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False once the server closed or reset the connection.
    bool send(std::string_view bytes);
    // One response (Content-Length bodies); nothing when the connection ends or `timeout`
    // passes first.
    std::optional<RawResponse> receive(std::chrono::milliseconds timeout);
    // True when the server ends the connection (EOF or reset) within `timeout`.
    bool closedByServer(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::string pending_;
    std::string sent_; // the requests not answered yet
    void checkAnswer(const RawResponse& response);
};

// "GET <path> HTTP/1.1" with Host and the given extra header lines (each ending in \r\n).
std::string getRequest(std::string_view path, std::string_view extraHeaders = {});

// The resident memory of a process in KiB (VmRSS).
long residentKiB(int pid);

} // namespace kamusm::test
