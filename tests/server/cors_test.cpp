// CORS for the Isolated Web App: the API answers the configured isolated-app:// origins, and
// no other origin gets a CORS header (a real server process, raw requests as a browser sends).
#include "helpers.hpp"
#include "raw_http.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kamusm::test;

namespace {

const std::string appOrigin =
    "isolated-app://gu7ooo3aa7gp6tqoqlmzmrndy2byg5vatts36nikyjmf6kli76zqaaic";
const std::string otherApp =
    "isolated-app://lns4hmjtomp3j6m4v5pa6ejp73dhjyfu6x23biabadt4uzpztboqaaac";

RawResponse request(ServerProcess& server, std::string_view head) {
    RawConnection connection(server.port());
    REQUIRE(connection.send(head));
    std::optional<RawResponse> response = connection.receive(std::chrono::seconds(5));
    REQUIRE(response);
    return *response;
}

RawResponse preflight(ServerProcess& server, const std::string& origin) {
    return request(server,
                   "OPTIONS /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nOrigin: " + origin +
                       "\r\nAccess-Control-Request-Method: POST\r\n"
                       "Access-Control-Request-Headers: content-type\r\n\r\n");
}

bool hasHeader(const RawResponse& response, std::string_view line) {
    return response.head.find(std::string(line) + "\r\n") != std::string::npos;
}

bool allowsAnyOrigin(const RawResponse& response) {
    return response.head.find("Access-Control-Allow-Origin") != std::string::npos;
}

} // namespace

TEST_CASE("the API answers CORS for the configured isolated-app origin and nothing else") {
    TempDir dir;
    ServerProcess server(
        {"--demo", "--data-dir", (dir.path() / "data").string(), "--app-origins", appOrigin});

    RawResponse allowed = preflight(server, appOrigin);
    CHECK(allowed.status == 204);
    CHECK(hasHeader(allowed, "Access-Control-Allow-Origin: " + appOrigin));
    CHECK(hasHeader(allowed, "Access-Control-Allow-Methods: GET, POST"));
    CHECK(hasHeader(allowed, "Access-Control-Allow-Headers: Content-Type"));

    RawResponse health =
        request(server, getRequest("/api/v1/health", "Origin: " + appOrigin + "\r\n"));
    CHECK(health.status == 200);
    CHECK(hasHeader(health, "Access-Control-Allow-Origin: " + appOrigin));
    CHECK(hasHeader(health, "Vary: Origin"));

    for (const std::string& stranger :
         {otherApp, std::string("https://evil.example"), std::string("null"),
          std::string("http://127.0.0.1"), appOrigin + ".evil.example", appOrigin.substr(0, 40)}) {
        CAPTURE(stranger);
        RawResponse refused = preflight(server, stranger);
        CHECK(refused.status == 403);
        CHECK_FALSE(allowsAnyOrigin(refused));
        RawResponse answer =
            request(server, getRequest("/api/v1/health", "Origin: " + stranger + "\r\n"));
        CHECK(answer.status == 200);
        CHECK_FALSE(allowsAnyOrigin(answer));
    }
    // The demo routes too (a demo build enrols its virtual card there); static files never.
    RawResponse demo =
        request(server, "OPTIONS /demo/cards HTTP/1.1\r\nHost: localhost\r\nOrigin: " + appOrigin +
                            "\r\nAccess-Control-Request-Method: POST\r\n\r\n");
    CHECK(demo.status == 204);
    CHECK(hasHeader(demo, "Access-Control-Allow-Origin: " + appOrigin));
    RawResponse page = request(server, getRequest("/index.html", "Origin: " + appOrigin + "\r\n"));
    CHECK_FALSE(allowsAnyOrigin(page));
    // A preflight without the method it asks for is not a preflight.
    RawResponse bare = request(
        server,
        "OPTIONS /api/v1/health HTTP/1.1\r\nHost: localhost\r\nOrigin: " + appOrigin + "\r\n\r\n");
    CHECK(bare.status == 403);
}

TEST_CASE("without --app-origins the API sends no CORS header to anyone") {
    TempDir dir;
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string()});
    CHECK_FALSE(allowsAnyOrigin(preflight(server, appOrigin)));
    RawResponse health =
        request(server, getRequest("/api/v1/health", "Origin: " + appOrigin + "\r\n"));
    CHECK(health.status == 200);
    CHECK_FALSE(allowsAnyOrigin(health));
}

TEST_CASE("--app-origins takes isolated-app origins only") {
    TempDir dir;
    std::string output;
    for (const std::string& wrong :
         {std::string("https://kamusm.example"), std::string("isolated-app://short"),
          std::string("isolated-app://") + std::string(56, 'A'), appOrigin + "/", appOrigin + ",",
          std::string("*")}) {
        CAPTURE(wrong);
        CHECK(runServer(
                  {"--demo", "--data-dir", (dir.path() / "data").string(), "--app-origins", wrong},
                  output) == 2);
        CHECK(output.find("--app-origins") != std::string::npos);
    }
}
