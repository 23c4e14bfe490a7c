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

namespace {
std::int64_t count(server::Tx& tx, const std::string& sql) {
    return tx.queryOne(sql)->integer(0);
}
} // namespace

void checkAgreement(const std::string& url) {
    server::Database db(url, 1);
    db.transact([](server::Tx& tx) {
        CHECK(count(tx, "SELECT count(*) FROM verification_codes") ==
              count(tx, "SELECT count(*) FROM audit_log WHERE event = 'code_issued'"));
        CHECK(count(tx, "SELECT count(*) FROM verification_codes WHERE used_at IS NOT NULL") ==
              count(tx, "SELECT count(*) FROM audit_log WHERE event = 'code_used'"));
        CHECK(count(tx, "SELECT count(*) FROM sms_outbox") ==
              count(tx, "SELECT count(*) FROM audit_log WHERE event = 'sms_sent'"));
        for (const server::Row& row :
             tx.query("SELECT id, CASE WHEN card_serial IS NULL THEN 0 ELSE 1 END, "
                      "CASE WHEN sms_sent_at IS NULL THEN 0 ELSE 1 END, confirmed, authorized, "
                      "CASE WHEN outcome IS NULL THEN 0 ELSE 1 END, tries_left FROM sessions")) {
            auto events = [&](const char* event) {
                return tx
                    .queryOne("SELECT count(*) FROM audit_log WHERE session = ? AND event = ?",
                              {row.text(0), std::string(event)})
                    ->integer(0);
            };
            CAPTURE(row.text(0));
            CHECK(row.integer(1) == (events("card_checked") > 0 ? 1 : 0));
            CHECK(row.integer(2) == (events("sms_sent") > 0 ? 1 : 0));
            CHECK(row.integer(3) == events("confirmed"));
            CHECK(row.integer(4) == events("cryptogram_issued"));
            CHECK(row.integer(5) == events("outcome"));
            CHECK(row.integer(6) == 3 - events("confirm_failed"));
        }
    });
}

} // namespace kamusm::test
