#include "helpers.hpp"

#include <atomic>
#include <unistd.h>

namespace kamusm::test {

DemoServer& demoServer() {
    static DemoServer server;
    return server;
}

std::string freshSerial() {
    static std::atomic<int> counter{0};
    std::string serial = std::to_string(900000000000LL + getpid() % 10000 * 10000 + ++counter);
    return serial;
}

Card enrolCard(backend::BackendClient& client) {
    Card card{freshSerial(), {}};
    card.keys = runSync(client.demoEnrolCard(demoTckn, card.serial));
    return card;
}

backend::Session openSession(backend::BackendClient& client, backend::Operation operation,
                             std::optional<backend::Confirmation> confirmation) {
    backend::VerificationCode code =
        runSync(client.demoVerificationCode(demoTckn, operation, confirmation));
    return runSync(client.startSession(code.code));
}

std::string lastSmsCode(backend::BackendClient& client) {
    std::vector<backend::OutboxMessage> outbox = runSync(client.demoOutbox());
    REQUIRE_FALSE(outbox.empty());
    return outbox.back().code;
}

std::vector<std::string> auditEvents(const std::filesystem::path& database,
                                     const std::string& session) {
    server::Database db("sqlite:" + database.string(), 1);
    return db.transact([&](server::Tx& tx) {
        std::vector<std::string> events;
        for (const server::Row& row :
             tx.query("SELECT event FROM audit_log WHERE session = ? ORDER BY id", {session}))
            events.push_back(row.text(0));
        return events;
    });
}

} // namespace kamusm::test
