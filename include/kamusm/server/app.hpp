// The whole server: storage, keys, services and the HTTP listener, from a Config.
#pragma once

#include "kamusm/server/config.hpp"

#include <memory>

namespace kamusm::server {

class App {
public:
    // Opens the data directory and database, loads the keys and CA; throws ConfigError when the
    // configuration cannot run (e.g. the demo master key outside demo mode).
    explicit App(Config config);
    ~App();

    // Binds the listening socket; returns the port (useful with port 0).
    int bind();
    // Serves until stop(); returns false when the listener failed.
    bool run();
    // Thread-safe; finishes the requests in flight.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kamusm::server
