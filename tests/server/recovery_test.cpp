// kill -9 before and after every commit on SQLite: the dying server is restarted on its data
// directory (recovery.hpp). The PostgreSQL suite runs the same with a second instance.
#include "recovery.hpp"

#include <fstream>

using namespace kamusm;
using namespace kamusm::test;

TEST_CASE("kill -9 before and after every commit: state and audit agree, retries are defined") {
    TempDir dir;
    std::vector<std::string> arguments{"--demo", "--data-dir", (dir.path() / "data").string()};
    for (const std::string& flag : liftedLimits())
        arguments.push_back(flag);
    std::string url = "sqlite:" + (dir.path() / "data" / "kamusm.db").string();
    std::unique_ptr<ServerProcess> restarted;
    crashAtEveryWritePoint(
        [&](const std::map<std::string, std::string>& environment) {
            restarted.reset();
            return std::make_unique<ServerProcess>(arguments, environment);
        },
        [&]() -> backend::BackendClient& {
            restarted = std::make_unique<ServerProcess>(arguments);
            return restarted->client();
        },
        url);
    // Every SMS queued reached the gateway, also those a crash cut off from it (the restart
    // hands them over).
    std::ifstream outbox(dir.path() / "data" / "sms-outbox.log");
    std::int64_t lines = 0;
    for (std::string line; std::getline(outbox, line);)
        ++lines;
    server::Database db(url, 1);
    CHECK(lines >= db.transact([](server::Tx& tx) {
        return tx.queryOne("SELECT count(*) FROM sms_outbox")->integer(0);
    }));
}
