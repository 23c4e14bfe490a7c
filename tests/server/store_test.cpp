// The storage pieces in-process: holders, password hashes, masks, rate limiter, config.
#include "server_process.hpp"

#include "kamusm/server/config.hpp"
#include "kamusm/server/holders.hpp"
#include "kamusm/server/rate_limit.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace kamusm;
using namespace kamusm::server;

TEST_CASE("holders keep their cards when updated; passwords are salted hashes") {
    test::TempDir dir;
    Database db((dir.path() / "test.db").string());
    Holders holders(db);
    holders.put({"10000000146", "A", "+905550000012", backend::Confirmation::Sms, 1980},
                "demo-parola");
    CHECK(holders.find("10000000146")->birthYear == 1980);
    holders.enrolCard("123456789012", "10000000146");
    holders.put({"10000000146", "B", "+905550000099", backend::Confirmation::Password, {}},
                "yeni-parola");
    CHECK(holders.cardHolder("123456789012") == "10000000146");
    CHECK(holders.find("10000000146")->name == "B");
    CHECK(holders.find("10000000146")->confirmation == backend::Confirmation::Password);
    CHECK(holders.checkPassword("10000000146", "yeni-parola"));
    CHECK_FALSE(holders.checkPassword("10000000146", "demo-parola"));
    CHECK_FALSE(holders.checkPassword("99999999999", "yeni-parola"));
    auto stored = db.queryOne("SELECT password_hash FROM holders");
    CHECK(stored->text(0).find("yeni") == std::string::npos);
    CHECK(stored->text(0).size() == 64);
    CHECK_FALSE(holders.cardHolder("000000000000"));
}

TEST_CASE("masks") {
    CHECK(maskTckn("10000000146") == "100******46");
    CHECK(maskPhone("+905550000012") == "*******12");
}

TEST_CASE("the rate limiter refuses beyond its window's budget") {
    RateLimiter limiter(2, 60);
    CHECK_FALSE(limiter.hit("a"));
    CHECK_FALSE(limiter.hit("a"));
    std::optional<int> retry = limiter.hit("a");
    REQUIRE(retry);
    CHECK(*retry > 0);
    CHECK(*retry <= 60);
    CHECK_FALSE(limiter.hit("b"));
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
