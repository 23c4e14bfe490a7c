// Shared steps of the server tests: the demo server, demo cards, sessions, the audit log.
#pragma once

#include "backend/expect_failure.hpp"
#include "server_process.hpp"

#include "kamusm/server/database.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kamusm::test {

inline constexpr const char* demoTckn = "10000000146";

// One demo server for the suite's ordinary flows (started on first use).
struct DemoServer {
    TempDir dir;
    // The suite's many sessions all come from one IP for one demo holder: lift the limits
    // (each has its own test with its own server).
    ServerProcess process{{"--demo", "--data-dir", (dir.path() / "data").string(),
                           "--sms-per-holder", "1000", "--sessions-per-holder", "1000",
                           "--code-attempts-per-ip", "1000", "--confirm-attempts-per-holder",
                           "1000"}};
    std::filesystem::path database() const { return dir.path() / "data" / "kamusm.db"; }
};
DemoServer& demoServer();

// A serial no other test uses.
std::string freshSerial();

struct Card {
    std::string serial;
    backend::DemoCard keys;
};
Card enrolCard(backend::BackendClient& client);

backend::Session openSession(backend::BackendClient& client, backend::Operation operation,
                             std::optional<backend::Confirmation> confirmation = {});

// The code of the newest SMS in the demo outbox.
std::string lastSmsCode(backend::BackendClient& client);

// Events of `session` in the audit log, oldest first.
std::vector<std::string> auditEvents(const std::filesystem::path& database,
                                     const std::string& session);

// Every state change has its audit row and every audit row its state change (codes, SMS, each
// session's card check, confirmation, tries, cryptogram and outcome). `url` as for --database.
void checkAgreement(const std::string& url);

} // namespace kamusm::test
