// The backend client over a scripted HttpClient: request shapes and problem parsing.
#include "backend/expect_failure.hpp"
#include "kamusm/backend/api.hpp"
#include "kamusm/backend/base64.hpp"
#include "kamusm/backend/httplib_client.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <deque>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace kamusm;
using namespace kamusm::backend;
using kamusm::test::failure;
using nlohmann::json;

namespace {

class ScriptedHttp : public HttpClient {
public:
    std::deque<HttpResponse> answers;
    std::vector<HttpRequest> requests;
    Task<HttpResponse> send(HttpRequest request) override {
        requests.push_back(std::move(request));
        HttpResponse answer = answers.front();
        answers.pop_front();
        co_return answer;
    }
};

} // namespace

TEST_CASE("base64 round trips and rejects garbage") {
    for (std::size_t size = 0; size < 10; ++size) {
        Bytes bytes;
        for (std::size_t i = 0; i < size; ++i)
            bytes.push_back(static_cast<std::uint8_t>(i * 37 + 250));
        CHECK(fromBase64(toBase64(bytes)) == bytes);
    }
    CHECK(toBase64(Bytes{'M', 'a', 'n'}) == "TWFu");
    CHECK(toBase64(Bytes{'M'}) == "TQ==");
    CHECK_THROWS_AS(fromBase64("TQ="), std::invalid_argument);
    CHECK_THROWS_AS(fromBase64("T!=="), std::invalid_argument);
    CHECK_THROWS_AS(fromBase64("=AAA"), std::invalid_argument);
}

TEST_CASE("problem types round trip") {
    CHECK(problemType(Problem::WrongHolder) == "urn:kamusm-pin:problem:wrong-holder");
    for (Problem p : {Problem::InvalidRequest, Problem::CodeExpired, Problem::SessionLocked,
                      Problem::OutcomeReported, Problem::RateLimited})
        CHECK(problemFromType(problemType(p)) == p);
    CHECK(problemFromType("about:blank") == Problem::Unknown);
    CHECK(problemFromType("urn:kamusm-pin:problem:nope") == Problem::Unknown);
}

TEST_CASE("a session starts with the code and parses the answer") {
    ScriptedHttp http;
    http.answers.push_back(
        {201,
         R"({"session":"ABCD","operation":"unblock","holder":{"name":"A B",)"
         R"("tckn_masked":"100******46"},"confirmation":"password","expires_in":900})",
         {}});
    BackendClient client(http);
    Session session = runSync(client.startSession("123456789012345"));
    CHECK(session.id == "ABCD");
    CHECK(session.operation == Operation::Unblock);
    CHECK(session.confirmation == Confirmation::Password);
    CHECK(session.holder.tcknMasked == "100******46");
    CHECK(session.expiresIn == 900);
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].method == "POST");
    CHECK(http.requests[0].path == "/api/v1/sessions");
    CHECK(json::parse(http.requests[0].body) == json{{"code", "123456789012345"}});
    CHECK(http.requests[0].headers["Content-Type"] == "application/json");
}

TEST_CASE("authorize sends the challenge as hex and returns the cryptogram bytes") {
    ScriptedHttp http;
    http.answers.push_back({200, R"({"cryptogram":"90B1BE7C39156A510D670E597A0D7973"})", {}});
    BackendClient client(http);
    Bytes cryptogram = runSync(
        client.authorize("S1", "123456789012", fromHex("00112233445566778899AABBCCDDEEFF")));
    CHECK(toHex(cryptogram) == "90B1BE7C39156A510D670E597A0D7973");
    CHECK(http.requests[0].path == "/api/v1/sessions/S1/authorization");
    CHECK(json::parse(http.requests[0].body) ==
          json{{"serial", "123456789012"}, {"challenge", "00112233445566778899AABBCCDDEEFF"}});
}

TEST_CASE("problem documents become typed errors") {
    ScriptedHttp http;
    BackendClient client(http);
    http.answers.push_back({403,
                            R"({"type":"urn:kamusm-pin:problem:wrong-sms-code","title":"x",)"
                            R"("status":403,"detail":"wrong SMS code","tries_left":1})",
                            {{"content-type", "application/problem+json"}}});
    backend::Error wrong = failure(client.confirmSms("S1", "000000"));
    CHECK(wrong.code() == ErrorCode::Http);
    CHECK(wrong.status() == 403);
    CHECK(wrong.problem() == Problem::WrongSmsCode);
    CHECK(wrong.triesLeft() == 1);
    CHECK(std::string(wrong.what()).find("wrong SMS code") != std::string::npos);

    http.answers.push_back(
        {429, R"({"type":"urn:kamusm-pin:problem:rate-limited"})", {{"retry-after", "42"}}});
    backend::Error limited = failure(client.sendSms("S1"));
    CHECK(limited.problem() == Problem::RateLimited);
    CHECK(limited.retryAfter() == 42);

    http.answers.push_back({502, "<html>Bad gateway</html>", {}});
    backend::Error proxy = failure(client.health());
    CHECK(proxy.code() == ErrorCode::Http);
    CHECK(proxy.status() == 502);
    CHECK(proxy.problem() == Problem::Unknown);
}

TEST_CASE("success answers that do not match the API are MalformedResponse") {
    ScriptedHttp http;
    BackendClient client(http);
    http.answers.push_back({200, "not json", {}});
    CHECK(failure(client.health()).code() == ErrorCode::MalformedResponse);
    http.answers.push_back({200, R"({"cryptogram":"90B1"})", {}});
    CHECK(failure(client.authorize("S", "123456789012", Bytes(16))).code() ==
          ErrorCode::MalformedResponse);
    http.answers.push_back({200, R"({"cryptogram":"ZZ"})", {}});
    CHECK(failure(client.authorize("S", "123456789012", Bytes(16))).code() ==
          ErrorCode::MalformedResponse);
    http.answers.push_back({201,
                            R"({"session":"A","operation":"explode","holder":{"name":"",)"
                            R"("tckn_masked":""},"confirmation":"sms","expires_in":1})",
                            {}});
    CHECK(failure(client.startSession("123456789012345")).code() == ErrorCode::MalformedResponse);
    http.answers.push_back({200, R"({"status":"ok","version":1,"demo":false})", {}});
    CHECK(failure(client.health()).code() == ErrorCode::MalformedResponse);
}

TEST_CASE("the outcome and the password go out as documented") {
    ScriptedHttp http;
    BackendClient client(http);
    http.answers.push_back({204, "", {}});
    runSync(client.reportOutcome("S", Outcome::CardRemoved, "during RESET RETRY COUNTER"));
    CHECK(json::parse(http.requests[0].body) ==
          json{{"result", "card_removed"}, {"detail", "during RESET RETRY COUNTER"}});
    http.answers.push_back({200, R"({"confirmed":true})", {}});
    runSync(client.confirmPassword("S", "demo-parola"));
    CHECK(json::parse(http.requests[1].body) == json{{"password", "demo-parola"}});
    CHECK(http.requests[1].path == "/api/v1/sessions/S/confirm");
}

TEST_CASE("the native transport reports a refused connection as Network") {
    // Nothing listens on port 1 of loopback.
    HttplibClient http("http://127.0.0.1:1", 2);
    BackendClient client(http);
    backend::Error error = failure(client.health());
    CHECK(error.code() == ErrorCode::Network);
}

TEST_CASE("the native transport reports a silent server as Timeout") {
    // A listening socket that never answers: the kernel accepts the connection, nobody reads.
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(listener, 4) == 0);
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

    HttplibClient http("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)), 1);
    BackendClient client(http);
    CHECK(failure(client.health()).code() == ErrorCode::Timeout);
    close(listener);
}
