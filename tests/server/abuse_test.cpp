// The abuse suite (ctest: server_abuse): the server as an attacker and a load generator see it,
// all on loopback. Other loopback addresses (127.0.0.2 …) stand for other clients.
#include "helpers.hpp"
#include "raw_http.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

using namespace kamusm;
using namespace kamusm::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A health check over a connection of its own: its time in ms, or -1 without an answer in 1 s.
double healthMilliseconds(int port) {
    auto start = Clock::now();
    RawConnection connection(port);
    connection.send(getRequest("/api/v1/health"));
    auto response = connection.receive(1000ms);
    if (!response || response->status != 200) return -1;
    return millisecondsSince(start);
}

std::string postRequest(std::string_view path, std::string_view body,
                        std::string_view extraHeaders = {}) {
    return "POST " + std::string(path) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + std::string(extraHeaders) + "\r\n" +
           std::string(body);
}

std::int64_t auditCount(const std::filesystem::path& database, const std::string& event) {
    server::Database db("sqlite:" + database.string(), 1);
    return db.transact([&](server::Tx& tx) {
        return tx.queryOne("SELECT count(*) FROM audit_log WHERE event = ?", {event})->integer(0);
    });
}

std::vector<std::string> demoArguments(const TempDir& dir, std::vector<std::string> more = {}) {
    std::vector<std::string> arguments{"--demo", "--data-dir", (dir.path() / "data").string()};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
}

} // namespace

TEST_SUITE("abuse") {

    TEST_CASE("slow headers and bodies from many connections: health answers within 1 s") {
        TempDir dir;
        ServerProcess server(demoArguments(dir, {"--header-timeout", "2", "--body-timeout", "2"}));
        // 60 connections from two addresses (under the cap of 32 each): half dribble their headers,
        // half their body, one byte every 250 ms, for longer than the limits allow.
        std::vector<std::unique_ptr<RawConnection>> slow;
        for (const char* source : {"127.0.0.2", "127.0.0.3"})
            for (int i = 0; i < 30; ++i) {
                slow.push_back(std::make_unique<RawConnection>(server.port(), source));
                if (i % 2 == 1)
                    slow.back()->send("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                      "application/json\r\nContent-Length: 1000\r\n\r\n");
                else
                    slow.back()->send("GET /api/v1/health HTTP/1.1\r\n");
            }
        std::atomic<bool> done{false};
        std::atomic<int> stillAccepted{0};
        std::thread dribble([&] {
            while (!done) {
                int accepted = 0;
                for (std::size_t i = 0; i < slow.size(); ++i)
                    accepted += slow[i]->send(i % 2 == 1 ? "{" : "X") ? 1 : 0;
                stillAccepted = accepted;
                std::this_thread::sleep_for(250ms);
            }
        });
        std::vector<double> times;
        for (int i = 0; i < 16; ++i) {
            times.push_back(healthMilliseconds(server.port()));
            std::this_thread::sleep_for(200ms);
        }
        done = true;
        dribble.join();
        double slowest = *std::max_element(times.begin(), times.end());
        MESSAGE("health checks during the attack: slowest " << slowest << " ms");
        for (double time : times) {
            CHECK(time >= 0);
            CHECK(time < 1000);
        }
        // The limits are totals, not idle times: every dribbling connection was cut.
        for (auto& connection : slow)
            CHECK(connection->closedByServer(2000ms));
        CHECK(healthMilliseconds(server.port()) >= 0);
    }

    TEST_CASE("header floods are refused and leave no memory behind") {
        TempDir dir;
        ServerProcess server(demoArguments(dir));
        std::string many;
        for (int i = 0; i < 200; ++i)
            many += "X-Flood-" + std::to_string(i) + ": 1\r\n";
        RawConnection fields(server.port());
        fields.send(getRequest("/api/v1/health", many));
        auto tooMany = fields.receive(2000ms);
        REQUIRE(tooMany);
        CHECK(tooMany->status == 431);
        CHECK(fields.closedByServer(2000ms));

        RawConnection large(server.port());
        large.send(getRequest("/api/v1/health", "X-Large: " + std::string(20000, 'a') + "\r\n"));
        auto tooLarge = large.receive(2000ms);
        REQUIRE(tooLarge);
        CHECK(tooLarge->status == 431);
        CHECK(tooLarge->head.find("application/problem+json") != std::string::npos);

        // 60 MB of headers (today's finding: accepted, 10 → 157 MiB): each connection is cut once
        // its headers pass the limit.
        long before = residentKiB(server.pid());
        std::string flood = "X-Flood: " + std::string(3 << 20, 'a') + "\r\n";
        std::vector<std::thread> senders;
        for (int i = 0; i < 4; ++i)
            senders.emplace_back([&] {
                for (int j = 0; j < 5; ++j) {
                    RawConnection connection(server.port());
                    connection.send(getRequest("/api/v1/health", flood));
                    CHECK(connection.closedByServer(5000ms));
                }
            });
        for (std::thread& sender : senders)
            sender.join();
        long after = residentKiB(server.pid());
        MESSAGE("server memory before and after 60 MB of headers: " << before / 1024 << " → "
                                                                    << after / 1024 << " MiB");
        CHECK(after - before < 16 * 1024);
        CHECK(healthMilliseconds(server.port()) >= 0);
    }

    TEST_CASE("behind the trusted proxy the limits count the proxy's X-Forwarded-For entry") {
        TempDir dir;
        ServerProcess server(
            demoArguments(dir, {"--trusted-proxy", "127.0.0.1", "--code-attempts-per-ip", "1",
                                "--max-connections-per-ip", "2"}));
        auto attempt = [&](std::string_view forwarded) {
            RawConnection connection(server.port());
            connection.send(
                postRequest("/api/v1/sessions", R"({"code":"000000000000000"})", forwarded));
            auto response = connection.receive(2000ms);
            return response ? response->status : 0;
        };
        CHECK(attempt("X-Forwarded-For: 192.0.2.1, 10.0.0.1\r\n") == 404);
        CHECK(attempt("X-Forwarded-For: 10.0.0.1\r\n") == 429);
        // The client's own line stands before the proxy's: it changes nothing.
        CHECK(attempt("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 10.0.0.1\r\n") == 429);
        CHECK(attempt("X-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n") == 429);
        CHECK(attempt("X-Forwarded-For: 10.0.0.2\r\n") == 404);
        CHECK(server.stderrText().find("\"ip\":\"10.0.0.2\"") != std::string::npos);
        // The proxy carries every client: its address has no per-address connection cap.
        std::vector<std::unique_ptr<RawConnection>> open;
        for (int i = 0; i < 6; ++i)
            open.push_back(std::make_unique<RawConnection>(server.port()));
        for (auto& connection : open) {
            connection->send(getRequest("/api/v1/health"));
            auto response = connection->receive(2000ms);
            REQUIRE(response);
            CHECK(response->status == 200);
        }
    }

    TEST_CASE("a 429 storm does not grow the audit log") {
        TempDir dir;
        ServerProcess server(demoArguments(dir, {"--code-attempts-per-ip", "3"}));
        RawConnection connection(server.port());
        std::map<int, int> statuses;
        auto start = Clock::now();
        constexpr int requests = 300;
        for (int i = 0; i < requests; ++i) {
            connection.send(postRequest("/api/v1/sessions", R"({"code":"000000000000000"})"));
            auto response = connection.receive(2000ms);
            REQUIRE(response);
            ++statuses[response->status];
        }
        MESSAGE(requests << " requests on one kept-alive connection in " << millisecondsSince(start)
                         << " ms");
        CHECK(statuses[404] == 3);
        CHECK(statuses[429] == requests - 3);
        std::filesystem::path database = dir.path() / "data" / "kamusm.db";
        CHECK(auditCount(database, "code_rejected") == 3);
        CHECK(auditCount(database, "rate_limited") == 1);
    }

    TEST_CASE("a burst of connections is taken, none reset") {
        TempDir dir;
        ServerProcess server(demoArguments(dir, {"--max-connections-per-ip", "1000"}));
        std::vector<std::unique_ptr<RawConnection>> burst;
        for (int i = 0; i < 300; ++i)
            burst.push_back(std::make_unique<RawConnection>(server.port()));
        int answered = 0;
        for (auto& connection : burst)
            connection->send(getRequest("/api/v1/health"));
        for (auto& connection : burst) {
            auto response = connection->receive(5000ms);
            answered += response && response->status == 200 ? 1 : 0;
        }
        CHECK(answered == 300);
    }

    TEST_CASE("connections are capped per address and in all") {
        TempDir dir;
        ServerProcess server(
            demoArguments(dir, {"--max-connections-per-ip", "4", "--max-connections", "6"}));
        std::vector<std::unique_ptr<RawConnection>> held;
        for (int i = 0; i < 4; ++i)
            held.push_back(std::make_unique<RawConnection>(server.port(), "127.0.0.2"));
        RawConnection fifth(server.port(), "127.0.0.2");
        CHECK(fifth.closedByServer(2000ms));
        RawConnection other(server.port(), "127.0.0.3");
        other.send(getRequest("/api/v1/health"));
        REQUIRE(other.receive(2000ms));
        RawConnection sixth(server.port(), "127.0.0.4");
        sixth.send(getRequest("/api/v1/health"));
        REQUIRE(sixth.receive(2000ms));
        RawConnection seventh(server.port(), "127.0.0.5");
        CHECK(seventh.closedByServer(2000ms));
        held.clear();
        std::this_thread::sleep_for(200ms);
        CHECK(healthMilliseconds(server.port()) >= 0);
    }

    TEST_CASE("kept-alive requests are answered without waiting for a delayed ACK") {
        ServerProcess& server = demoServer().process;
        RawConnection connection(server.port());
        std::vector<double> times;
        for (int i = 0; i < 200; ++i) {
            auto start = Clock::now();
            connection.send(getRequest("/api/v1/health"));
            REQUIRE(connection.receive(2000ms));
            times.push_back(millisecondsSince(start));
        }
        std::sort(times.begin(), times.end());
        MESSAGE("kept-alive health: p50 " << times[100] << " ms, p99 " << times[198] << " ms");
        // 40 ms before TCP_NODELAY and one write per answer; 2 ms is the release target (bench/).
        CHECK(times[100] < 5);
    }

    TEST_CASE("the issuer API audits and limits requests without its token") {
        TempDir dir;
        std::ofstream(dir.path() / "issuer.token") << std::string(40, 'k') << "\n";
        ServerProcess server(
            demoArguments(dir, {"--issuer-token-file", (dir.path() / "issuer.token").string(),
                                "--issuer-port", "0", "--issuer-failures-per-ip", "3"}));
        int port = std::stoi(server.issuerUrl().substr(server.issuerUrl().rfind(':') + 1));
        auto issue = [&](const std::string& source, const std::string& token) {
            RawConnection connection(port, source);
            connection.send(postRequest("/internal/v1/verification-codes",
                                        R"({"tckn":"10000000146","operation":"unblock"})",
                                        "Authorization: Bearer " + token + "\r\n"));
            auto response = connection.receive(2000ms);
            return response ? response->status : 0;
        };
        for (int i = 0; i < 3; ++i)
            CHECK(issue("127.0.0.1", "wrong") == 401);
        CHECK(issue("127.0.0.1", "wrong") == 429);
        CHECK(issue("127.0.0.1", std::string(40, 'k')) == 429);
        CHECK(issue("127.0.0.2", std::string(40, 'k')) == 201);
        std::filesystem::path database = dir.path() / "data" / "kamusm.db";
        CHECK(auditCount(database, "issuer_refused") == 3);
        CHECK(auditCount(database, "rate_limited") == 1);
    }

} // TEST_SUITE
