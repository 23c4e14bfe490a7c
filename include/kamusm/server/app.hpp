// The whole server: storage, keys, services and the HTTP listeners, from a Config.
#pragma once

#include "kamusm/server/config.hpp"

#include <memory>
#include <optional>

namespace kamusm::server {

class App {
public:
    // Opens the data directory and database, loads the keys and CA; throws ConfigError when the
    // configuration cannot run (e.g. the demo master key outside demo mode, or a data directory
    // of the other mode).
    explicit App(Config config);
    ~App();

    // Binds the public listener, and the issuer API's when configured; returns the public port
    // (useful with port 0). Throws std::runtime_error when an address cannot be bound.
    int bind();
    // The issuer API's port, once bound.
    std::optional<int> issuerPort() const;
    // Serves until stop().
    void run();
    // Thread-safe; finishes the requests in flight.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kamusm::server
