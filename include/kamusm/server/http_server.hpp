// The HTTP/1.1 server (Boost.Beast over Asio, event-driven): a slow or silent client costs one
// socket, not a thread. Every request must arrive within its time limits; header size and count,
// body size and connections (in all and per address) are capped; answers go out with
// TCP_NODELAY in one write. Handlers run on a pool of worker threads, so that the event loop
// never waits for the database.
#pragma once

#include "kamusm/server/router.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace kamusm::server {

struct HttpLimits {
    // From the moment the server waits for a request (also on a kept-alive connection) to the
    // last byte of its headers; then for its body; then for the answer to be taken.
    std::chrono::seconds headerTimeout{10};
    std::chrono::seconds bodyTimeout{10};
    std::chrono::seconds writeTimeout{60};
    std::size_t maxHeaderBytes = 8192;
    std::size_t maxHeaderFields = 64;
    std::size_t maxBodyBytes = 16 * 1024;
    int maxConnections = 1000;
    int maxConnectionsPerAddress = 32;
    // The trusted reverse proxy: all its clients come from its address, so it has no cap of its
    // own (only the overall one).
    std::string uncappedAddress;
};

class HttpServer {
public:
    HttpServer(HttpLimits limits, int workerThreads);
    ~HttpServer();

    // Binds a listener that hands its requests to `router` (which must outlive the server);
    // returns the port (0 picks a free one). Throws std::runtime_error when it cannot bind.
    int listen(const std::string& address, int port, const Router& router);
    // Serves until stop().
    void run();
    // Thread-safe: stops accepting, lets the requests in flight finish (a few seconds at most),
    // then makes run() return.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kamusm::server
