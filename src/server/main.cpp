// kamusm-server: the reference backend of the PIN app (see --help and src/server/openapi.yaml).
#include "kamusm/server/app.hpp"
#include "kamusm/server/log.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>
#include <sys/stat.h>
#include <thread>

extern char** environ;

using namespace kamusm::server;

int main(int argc, char** argv) {
    Config config;
    try {
        config =
            loadConfig(std::vector<std::string>(argv + 1, argv + argc), kamusmEnvironment(environ));
    } catch (const ConfigError& error) {
        std::cerr << "kamusm-server: " << error.what() << "\n";
        return 2;
    }
    if (config.help) {
        std::cout << usage();
        return 0;
    }

    // The database holds the demo CA's key and the SMS outbox: owner-only files.
    umask(077);

    // SIGINT/SIGTERM are taken by one thread with sigwait(), which then stops the listener
    // (stopping the listener is not async-signal-safe). Blocked before any other thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        App app(config);
        int port = 0;
        try {
            port = app.bind();
        } catch (const std::runtime_error& error) {
            std::cerr << "kamusm-server: " << error.what() << "\n";
            return 1;
        }
        std::thread waiter([&] {
            int received = 0;
            sigwait(&signals, &received);
            logEvent("info", "stopping", {{"signal", received}});
            app.stop();
        });
        bool ipv6 = config.bind.find(':') != std::string::npos;
        std::string host = ipv6 ? "[" + config.bind + "]" : config.bind;
        std::cout << "kamusm-server: listening on http://" << host << ":" << port
                  << (config.demo ? " (demo mode)" : "") << std::endl;
        if (auto issuer = app.issuerPort())
            std::cout << "kamusm-server: issuer API on http://" << config.issuerBind << ":"
                      << *issuer << std::endl;
        app.run();
        // When the listener ended by itself, wake the waiter with a signal of its own.
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
        logEvent("info", "stopped");
        return 0;
    } catch (const ConfigError& error) {
        std::cerr << "kamusm-server: " << error.what() << "\n";
        return 2;
    } catch (const std::exception& error) {
        logEvent("error", "fatal", {{"error", error.what()}});
        return 1;
    }
}
