// The storage pieces in-process: holders, password hashes, masks, rate limiter, config.
#include "server_process.hpp"

#include "kamusm/server/audit.hpp"
#include "kamusm/server/config.hpp"
#include "kamusm/server/holders.hpp"
#include "kamusm/server/migrations.hpp"
#include "kamusm/server/rate_limit.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace kamusm;
using namespace kamusm::server;

TEST_CASE("holders keep their cards when updated; passwords are salted hashes") {
    test::TempDir dir;
    Database db("sqlite:" + (dir.path() / "test.db").string(), 1);
    db.transact([](Tx& tx) {
        putHolder(tx, {"10000000146", "A", "+905550000012", backend::Confirmation::Sms, 1980},
                  hashPassword("demo-parola"));
        CHECK(findHolder(tx, "10000000146")->birthYear == 1980);
        enrolCard(tx, "123456789012", "10000000146");
        putHolder(tx, {"10000000146", "B", "+905550000099", backend::Confirmation::Password, {}},
                  hashPassword("yeni-parola"));
        CHECK(cardHolder(tx, "123456789012") == "10000000146");
        CHECK(findHolder(tx, "10000000146")->name == "B");
        CHECK(findHolder(tx, "10000000146")->confirmation == backend::Confirmation::Password);
        auto stored = holderPassword(tx, "10000000146");
        REQUIRE(stored);
        CHECK(passwordMatches(*stored, "yeni-parola"));
        CHECK_FALSE(passwordMatches(*stored, "demo-parola"));
        CHECK_FALSE(holderPassword(tx, "99999999999"));
        CHECK(stored->hash.find("yeni") == std::string::npos);
        CHECK(stored->hash.size() == 64);
        CHECK_FALSE(cardHolder(tx, "000000000000"));
    });
}

TEST_CASE("masks") {
    CHECK(maskTckn("10000000146") == "100******46");
    CHECK(maskPhone("+905550000012") == "*******12");
}

TEST_CASE("the rate limiter refuses beyond its window's budget and audits once per window") {
    test::TempDir dir;
    Database db("sqlite:" + (dir.path() / "test.db").string(), 1);
    Config config;
    config.codeAttemptsPerIp = 2;
    config.rateWindow = 60;
    RateLimits limits(config);
    auto hit = [&](const std::string& key) {
        return db.transact(
            [&](Tx& tx) { return limits.hit(tx, Limit::CodeAttemptsPerIp, key, key); });
    };
    CHECK_FALSE(hit("a"));
    CHECK_FALSE(hit("a"));
    for (int i = 0; i < 5; ++i) {
        std::optional<int> retry = hit("a");
        REQUIRE(retry);
        CHECK(*retry > 0);
        CHECK(*retry <= 60);
    }
    CHECK_FALSE(hit("b"));
    db.transact([](Tx& tx) {
        CHECK(tx.queryOne("SELECT count(*) FROM audit_log WHERE event = 'rate_limited'")
                  ->integer(0) == 1);
        CHECK(tx.queryOne("SELECT count(*) FROM rate_hits")->integer(0) == 3);
    });
}

TEST_CASE("migrations are versioned and run once") {
    test::TempDir dir;
    std::string url = "sqlite:" + (dir.path() / "test.db").string();
    { Database first(url, 1); }
    Database again(url, 1);
    again.transact([](Tx& tx) {
        CHECK(tx.queryOne("SELECT count(*), max(version) FROM schema_migrations")->integer(0) ==
              schemaVersion());
        appendAudit(tx, {AuditEvent::CodeIssued, {}, "10000000146", {}});
        CHECK_THROWS(tx.execute("DELETE FROM audit_log"));
    });
    again.transact([](Tx& tx) {
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
    });
    CHECK_THROWS_WITH_AS(Database(url, 1), doctest::Contains("newer"), std::runtime_error);
    CHECK_THROWS_AS(Database("mysql://localhost/kamusm", 1), ConfigError);
}

TEST_CASE("configuration layers: file < environment < flags") {
    test::TempDir dir;
    std::string file = (dir.path() / "c.json").string();
    std::ofstream(file) << R"({"port": 9000, "bind": "0.0.0.0", "code_lifetime": 100})";
    Config config = loadConfig(
        {"--config", file, "--port=9100"},
        {{"KAMUSM_PORT", "9050"}, {"KAMUSM_CODE_LIFETIME", "200"}, {"KAMUSM_UNRELATED", "x"}});
    CHECK(config.port == 9100);
    CHECK(config.bind == "0.0.0.0");
    CHECK(config.codeLifetime == 200);
    CHECK_FALSE(config.demo);
    CHECK(loadConfig({"--demo"}, {}).demo);
    CHECK(loadConfig({}, {{"KAMUSM_DEMO", "true"}}).demo);
    CHECK_THROWS_AS(loadConfig({"--code-lifetime", "0"}, {}), ConfigError);
    CHECK_THROWS_AS(loadConfig({"--port"}, {}), ConfigError);
    CHECK_THROWS_AS(loadConfig({"--demo=maybe"}, {}), ConfigError);
    std::ofstream(file) << R"({"prot": 1})";
    CHECK_THROWS_AS(loadConfig({"--config", file}, {}), ConfigError);
    std::ofstream(file) << R"({"port": [1]})";
    CHECK_THROWS_AS(loadConfig({"--config", file}, {}), ConfigError);
}
