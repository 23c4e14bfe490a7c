// Several instances on one PostgreSQL database (ctest: server_postgresql): a throwaway cluster,
// two server processes on it, requests alternating between them. The rules that must hold
// across instances live in the database: single-use codes, OTP tries, rate limits, one
// cryptogram; a kill -9 of one instance mid-write loses nothing.
#include "postgres_cluster.hpp"
#include "recovery.hpp"

#include "kamusm/server/crypto.hpp"
#include "kamusm/server/demo.hpp"
#include "kamusm/server/migrations.hpp"

#include <atomic>
#include <thread>

using namespace kamusm;
using namespace kamusm::test;
using backend::Operation;
using backend::Problem;

namespace {

const Bytes challenge = fromHex("00112233445566778899AABBCCDDEEFF");

// Two demo instances on a database of their own; `more` is added to both command lines.
struct Pair {
    std::string url;
    TempDir dir;
    std::unique_ptr<ServerProcess> a, b;

    explicit Pair(const std::string& name, std::vector<std::string> more = {},
                  std::map<std::string, std::string> environmentOfA = {})
        : url(postgresCluster().createDatabase(name)) {
        a = std::make_unique<ServerProcess>(arguments("a", more), environmentOfA);
        b = std::make_unique<ServerProcess>(arguments("b", more));
    }
    std::vector<std::string> arguments(const std::string& data, std::vector<std::string> more) {
        std::vector<std::string> result{"--demo", "--database", url, "--data-dir",
                                        (dir.path() / data).string()};
        result.insert(result.end(), more.begin(), more.end());
        return result;
    }
};

} // namespace

TEST_SUITE("postgresql") {

    TEST_CASE("the schema is migrated once and the audit log is append-only on PostgreSQL") {
        std::string url = postgresCluster().createDatabase("schema");
        { server::Database first(url, 2); }
        server::Database db(url, 2);
        db.transact([](server::Tx& tx) {
            CHECK(tx.queryOne("SELECT count(*) FROM schema_migrations")->integer(0) ==
                  server::schemaVersion());
            server::appendAudit(tx, {server::AuditEvent::CodeIssued, {}, demoTckn, {}});
        });
        CHECK_THROWS_WITH(db.transact([](server::Tx& tx) { tx.execute("DELETE FROM audit_log"); }),
                          doctest::Contains("append-only"));
        CHECK_THROWS_WITH(
            db.transact([](server::Tx& tx) { tx.execute("UPDATE audit_log SET event = 'x'"); }),
            doctest::Contains("append-only"));
    }

    TEST_CASE("two instances: single-use codes, OTP tries and the cryptogram hold across both") {
        Pair pair("rules", liftedLimits());
        auto& a = pair.a->client();
        auto& b = pair.b->client();
        // The demo CA and holder are the first instance's: the second took them.
        Card card = enrolCard(a);

        // A code issued through one instance opens one session, on whichever instance.
        backend::VerificationCode code =
            runSync(a.demoVerificationCode(demoTckn, Operation::Unblock));
        backend::Session session = runSync(b.startSession(code.code));
        CHECK(failure(a.startSession(code.code)).problem() == Problem::CodeUsed);

        // Three wrong SMS codes, alternating, lock the session on both.
        runSync(a.checkCard(session.id, card.serial, card.keys.certificate));
        runSync(b.sendSms(session.id));
        CHECK(failure(a.sendSms(session.id)).problem() == Problem::RateLimited); // resend interval
        std::string right = lastSmsCode(a);
        std::string wrong = right == "000000" ? "111111" : "000000";
        CHECK(failure(a.confirmSms(session.id, wrong)).triesLeft() == 2);
        CHECK(failure(b.confirmSms(session.id, wrong)).triesLeft() == 1);
        CHECK(failure(a.confirmSms(session.id, wrong)).triesLeft() == 0);
        CHECK(failure(b.confirmSms(session.id, right)).problem() == Problem::SessionLocked);

        // One cryptogram per session, whichever instance is asked.
        backend::Session second =
            openSession(b, Operation::Unblock, backend::Confirmation::Password);
        runSync(b.checkCard(second.id, card.serial, card.keys.certificate));
        runSync(a.confirmPassword(second.id, "demo-parola"));
        Bytes expected = server::unblockCryptogram(server::demoMasterKey(), card.serial, challenge);
        CHECK(runSync(b.authorize(second.id, card.serial, challenge)) == expected);
        CHECK(runSync(a.authorize(second.id, card.serial, challenge)) == expected);
        Bytes another = challenge;
        another[15] ^= 0x01;
        CHECK(failure(a.authorize(second.id, card.serial, another)).problem() ==
              Problem::AuthorizationUsed);
        runSync(b.reportOutcome(second.id, backend::Outcome::Success));
        CHECK(failure(a.reportOutcome(second.id, backend::Outcome::Success)).problem() ==
              Problem::OutcomeReported);

        // Two clients race for each code, one on each instance: one session per code.
        std::vector<std::string> codes;
        for (int i = 0; i < 8; ++i)
            codes.push_back(runSync(a.demoVerificationCode(demoTckn, Operation::Unblock)).code);
        std::atomic<int> opened{0}, used{0};
        std::vector<std::thread> racers;
        for (int i = 0; i < 16; ++i)
            racers.emplace_back([&, i] {
                ServerProcess& target = i % 2 == 0 ? *pair.a : *pair.b;
                backend::HttplibClient http(target.url());
                ContractCheckedClient checked(http);
                backend::BackendClient client(checked);
                try {
                    runSync(client.startSession(codes[static_cast<std::size_t>(i / 2)]));
                    ++opened;
                } catch (const backend::Error& error) {
                    if (error.problem() == Problem::CodeUsed) ++used;
                }
            });
        for (std::thread& racer : racers)
            racer.join();
        CHECK(opened.load() == 8);
        CHECK(used.load() == 8);
        checkAgreement(pair.url);
    }

    TEST_CASE("two instances share the rate limits") {
        Pair pair("limits", {"--code-attempts-per-ip", "4", "--sms-per-holder", "1000"});
        for (int i = 0; i < 4; ++i) {
            ServerProcess& target = i % 2 == 0 ? *pair.a : *pair.b;
            CHECK(failure(target.client().startSession("000000000000000")).problem() ==
                  Problem::CodeUnknown);
        }
        for (ServerProcess* target : {pair.a.get(), pair.b.get()}) {
            backend::Error limited = failure(target->client().startSession("000000000000000"));
            CHECK(limited.problem() == Problem::RateLimited);
            CHECK(limited.retryAfter() > 0);
        }
        server::Database db(pair.url, 1);
        db.transact([](server::Tx& tx) {
            CHECK(tx.queryOne("SELECT count(*) FROM audit_log WHERE event = 'rate_limited'")
                      ->integer(0) == 1);
        });
    }

    TEST_CASE("kill -9 of one instance mid-write loses nothing; the other serves the retry") {
        for (const char* stage : {"before-commit", "after-commit"}) {
            CAPTURE(stage);
            std::string name = std::string("crash_") + (stage[0] == 'b' ? "before" : "after");
            Pair pair(name, liftedLimits(),
                      {{"KAMUSM_CRASH_AT", std::string(stage) + ":cryptogram_issued"}});
            auto& a = pair.a->client();
            auto& b = pair.b->client();
            Card card = enrolCard(b);
            backend::Session session = openSession(a, Operation::Unblock);
            runSync(b.checkCard(session.id, card.serial, card.keys.certificate));
            runSync(a.sendSms(session.id));
            runSync(b.confirmSms(session.id, lastSmsCode(a)));
            backend::Error crash = failure(a.authorize(session.id, card.serial, challenge));
            CHECK(crash.code() != backend::ErrorCode::Http);
            CHECK(pair.a->stop() == -1);
            checkAgreement(pair.url);
            // The retry on the other instance gets the cryptogram, issued once.
            CHECK(runSync(b.authorize(session.id, card.serial, challenge)) ==
                  server::unblockCryptogram(server::demoMasterKey(), card.serial, challenge));
            runSync(b.reportOutcome(session.id, backend::Outcome::Success));
            checkAgreement(pair.url);
            std::vector<std::string> expected{"code_used", "card_checked",      "sms_sent",
                                              "confirmed", "cryptogram_issued", "outcome"};
            if (stage[0] == 'a') expected.insert(expected.end() - 1, "cryptogram_reissued");
            server::Database db(pair.url, 1);
            CHECK(db.transact([&](server::Tx& tx) {
                std::vector<std::string> events;
                for (const server::Row& row : tx.query(
                         "SELECT event FROM audit_log WHERE session = ? ORDER BY id", {session.id}))
                    events.push_back(row.text(0));
                return events;
            }) == expected);
        }
    }

    TEST_CASE("kill -9 of one instance at every write point: the other goes on, nothing is lost") {
        std::string url = postgresCluster().createDatabase("every_write");
        TempDir dir;
        auto arguments = [&](const std::string& data) {
            std::vector<std::string> result{"--demo", "--database", url, "--data-dir",
                                            (dir.path() / data).string()};
            for (const std::string& flag : liftedLimits())
                result.push_back(flag);
            return result;
        };
        ServerProcess survivor(arguments("b"));
        crashAtEveryWritePoint(
            [&](const std::map<std::string, std::string>& environment) {
                return std::make_unique<ServerProcess>(arguments("a"), environment);
            },
            [&]() -> backend::BackendClient& { return survivor.client(); }, url);
    }

} // TEST_SUITE
