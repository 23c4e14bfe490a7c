// HTTP-level behaviour of a real server process: strict bodies, problem documents, limits,
// configuration, production mode, restarts and static files.
#include "helpers.hpp"

#include "kamusm/server/api_error.hpp"
#include "kamusm/server/crypto.hpp"
#include "kamusm/server/demo.hpp"
#include "kamusm/server/pki.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace kamusm;
using namespace kamusm::test;
using backend::Operation;
using backend::Problem;
using nlohmann::json;

namespace {

httplib::Result postJson(ServerProcess& server, const std::string& path, const std::string& body) {
    httplib::Client client = checkedClient(server.url());
    return client.Post(path.c_str(), body, "application/json");
}

void checkProblem(const httplib::Result& result, int status, Problem problem) {
    REQUIRE(result);
    CHECK(result->status == status);
    CHECK(result->get_header_value("Content-Type") == "application/problem+json");
    json body = json::parse(result->body);
    CHECK(body["type"] == backend::problemType(problem));
    CHECK(body["status"] == status);
    CHECK(body["detail"].is_string());
    CHECK(body["title"].is_string());
}

void writeFile(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

// A production configuration: its own master key and CA certificate.
std::vector<std::string> productionArguments(const TempDir& dir, const std::string& keyHex) {
    writeFile(dir.path() / "master.key", keyHex + "\n");
    server::CertificateAuthority ca = server::CertificateAuthority::generate("CN=Prod CA,C=TR");
    writeFile(dir.path() / "ca.der", std::string(ca.certificate().begin(), ca.certificate().end()));
    return {"--data-dir",        (dir.path() / "data").string(),
            "--master-key-file", (dir.path() / "master.key").string(),
            "--ca-file",         (dir.path() / "ca.der").string()};
}

} // namespace

TEST_CASE("request bodies are validated strictly") {
    ServerProcess& server = demoServer().process;
    checkProblem(postJson(server, "/api/v1/sessions", "{\"code\": "), 400, Problem::InvalidRequest);
    checkProblem(postJson(server, "/api/v1/sessions", "[1]"), 400, Problem::InvalidRequest);
    checkProblem(postJson(server, "/api/v1/sessions", "{\"code\": 123456789012345}"), 400,
                 Problem::InvalidRequest);
    checkProblem(postJson(server, "/api/v1/sessions", "{\"code\": \"12345\"}"), 400,
                 Problem::InvalidRequest);
    checkProblem(
        postJson(server, "/api/v1/sessions", "{\"code\": \"123456789012345\", \"extra\": 1}"), 400,
        Problem::InvalidRequest);
    checkProblem(postJson(server, "/api/v1/sessions", "{}"), 400, Problem::InvalidRequest);
    checkProblem(postJson(server, "/api/v1/sessions",
                          R"({"code": "123456789012345", "code": "123456789012345"})"),
                 400, Problem::InvalidRequest);

    httplib::Result pin = postJson(server, "/api/v1/sessions",
                                   "{\"code\": \"123456789012345\", \"new_pin\": \"123456\"}");
    checkProblem(pin, 400, Problem::InvalidRequest);
    CHECK(json::parse(pin->body)["detail"].get<std::string>().find("PIN") != std::string::npos);
    checkProblem(postJson(server, "/api/v1/sessions", "{\"PUK\": \"12345678\"}"), 400,
                 Problem::InvalidRequest);

    httplib::Client client = checkedClient(server.url());
    checkProblem(client.Post("/api/v1/sessions", "code=1", "application/x-www-form-urlencoded"),
                 400, Problem::InvalidRequest);
}

TEST_CASE("too large a body is refused with 413") {
    ServerProcess& server = demoServer().process;
    std::string body = "{\"code\": \"" + std::string(20000, '1') + "\"}";
    checkProblem(postJson(server, "/api/v1/sessions", body), 413, Problem::PayloadTooLarge);
}

TEST_CASE("unknown routes answer a problem document") {
    httplib::Client client = checkedClient(demoServer().process.url());
    checkProblem(client.Get("/api/v1/nothing"), 404, Problem::NotFound);
    // A method the path does not take: 405, in the body's "status" too (RFC 7807).
    checkProblem(client.Get("/api/v1/sessions"), 405, Problem::InvalidRequest);
}

TEST_CASE("API answers carry the security headers") {
    httplib::Client client = checkedClient(demoServer().process.url());
    httplib::Result result = client.Get("/api/v1/health");
    REQUIRE(result);
    CHECK(result->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(result->get_header_value("X-Frame-Options") == "DENY");
    CHECK(result->get_header_value("Cache-Control") == "no-store");
    CHECK(result->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") !=
          std::string::npos);
}

TEST_CASE("an expired verification code is refused") {
    TempDir dir;
    // The lifetime comes from the environment here, to cover KAMUSM_* settings.
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string()},
                         {{"KAMUSM_CODE_LIFETIME", "1"}});
    backend::VerificationCode code =
        runSync(server.client().demoVerificationCode(demoTckn, Operation::Unblock));
    CHECK(code.expiresIn == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    backend::Error error = failure(server.client().startSession(code.code));
    CHECK(error.problem() == Problem::CodeExpired);
    CHECK(error.status() == 410);
}

TEST_CASE("sessions and SMS codes expire") {
    TempDir dir;
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string(),
                          "--session-lifetime", "3", "--sms-lifetime", "1", "--sms-resend-interval",
                          "0"});
    Card card = enrolCard(server.client());
    backend::Session session = openSession(server.client(), Operation::Unblock);
    CHECK(session.expiresIn == 3);
    runSync(server.client().checkCard(session.id, card.serial, card.keys.certificate));
    runSync(server.client().sendSms(session.id));
    std::string code = lastSmsCode(server.client());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(failure(server.client().confirmSms(session.id, code)).problem() ==
          Problem::SmsCodeExpired);
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    backend::Error expired = failure(server.client().sendSms(session.id));
    CHECK(expired.problem() == Problem::SessionExpired);
    CHECK(expired.status() == 410);
    // The client can still put the outcome on record.
    runSync(server.client().reportOutcome(session.id, backend::Outcome::Cancelled));
}

TEST_CASE("code attempts per IP are limited with 429 and Retry-After") {
    TempDir dir;
    writeFile(dir.path() / "config.json", R"({"code_attempts_per_ip": 3, "rate_window": 120})");
    ServerProcess server({"--demo", "--config", (dir.path() / "config.json").string(), "--data-dir",
                          (dir.path() / "data").string()});
    for (int i = 0; i < 3; ++i)
        CHECK(failure(server.client().startSession("000000000000000")).problem() ==
              Problem::CodeUnknown);
    httplib::Result limited =
        postJson(server, "/api/v1/sessions", "{\"code\":\"000000000000000\"}");
    checkProblem(limited, 429, Problem::RateLimited);
    int retryAfter = std::stoi(limited->get_header_value("Retry-After"));
    CHECK(retryAfter > 0);
    CHECK(retryAfter <= 120);
    backend::Error error = failure(server.client().startSession("000000000000000"));
    CHECK(error.problem() == Problem::RateLimited);
    CHECK(error.retryAfter() > 0);
}

TEST_CASE("confirmations per holder are limited across sessions") {
    TempDir dir;
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string(),
                          "--confirm-attempts-per-holder", "2"});
    Card card = enrolCard(server.client());
    for (int i = 0; i < 2; ++i) {
        backend::Session session =
            openSession(server.client(), Operation::Unblock, backend::Confirmation::Password);
        runSync(server.client().checkCard(session.id, card.serial, card.keys.certificate));
        CHECK(failure(server.client().confirmPassword(session.id, "wrong")).problem() ==
              Problem::WrongPassword);
    }
    backend::Session session =
        openSession(server.client(), Operation::Unblock, backend::Confirmation::Password);
    runSync(server.client().checkCard(session.id, card.serial, card.keys.certificate));
    backend::Error limited = failure(server.client().confirmPassword(session.id, "demo-parola"));
    CHECK(limited.problem() == Problem::RateLimited);
    CHECK(limited.status() == 429);
}

TEST_CASE("sessions per holder are limited without spending the code") {
    TempDir dir;
    ServerProcess server(
        {"--demo", "--data-dir", (dir.path() / "data").string(), "--sessions-per-holder", "1"});
    openSession(server.client(), Operation::Unblock);
    backend::VerificationCode code =
        runSync(server.client().demoVerificationCode(demoTckn, Operation::Unblock));
    backend::Error limited = failure(server.client().startSession(code.code));
    CHECK(limited.problem() == Problem::RateLimited);
    CHECK(limited.retryAfter() > 0);
    // Still unspent: the next try is again refused by the limit, not as a used code.
    CHECK(failure(server.client().startSession(code.code)).problem() == Problem::RateLimited);
}

TEST_CASE("concurrent clients are served consistently") {
    ServerProcess& server = demoServer().process;
    std::vector<std::string> codes;
    for (int i = 0; i < 8; ++i)
        codes.push_back(
            runSync(server.client().demoVerificationCode(demoTckn, Operation::Unblock)).code);
    std::atomic<int> opened{0}, refused{0};
    std::vector<std::thread> threads;
    // Two clients race for each code: exactly one session per code.
    for (int i = 0; i < 16; ++i)
        threads.emplace_back([&, i] {
            backend::HttplibClient http(server.url());
            ContractCheckedClient checked(http);
            backend::BackendClient client(checked);
            try {
                runSync(client.startSession(codes[static_cast<std::size_t>(i / 2)]));
                ++opened;
            } catch (const backend::Error& error) {
                if (error.problem() == Problem::CodeUsed) ++refused;
            }
        });
    for (std::thread& thread : threads)
        thread.join();
    CHECK(opened == 8);
    CHECK(refused == 8);
}

TEST_CASE("a session survives a server restart") {
    TempDir dir;
    std::vector<std::string> arguments{"--demo", "--data-dir", (dir.path() / "data").string()};
    std::string sessionId, serial, smsCode;
    {
        ServerProcess first(arguments);
        Card card = enrolCard(first.client());
        serial = card.serial;
        backend::Session session = openSession(first.client(), Operation::Unblock);
        sessionId = session.id;
        runSync(first.client().checkCard(session.id, serial, card.keys.certificate));
        runSync(first.client().sendSms(session.id));
        smsCode = lastSmsCode(first.client());
        CHECK(first.stop() == 0); // SIGTERM is a graceful shutdown
        CHECK(first.stderrText().find("\"event\":\"stopped\"") != std::string::npos);
    }
    ServerProcess second(arguments);
    runSync(second.client().confirmSms(sessionId, smsCode));
    Bytes challenge = server::randomBytes(16);
    CHECK(runSync(second.client().authorize(sessionId, serial, challenge)) ==
          server::unblockCryptogram(server::demoMasterKey(), serial, challenge));
}

TEST_CASE("structured logs never carry codes or passwords") {
    TempDir dir;
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string()});
    Card card = enrolCard(server.client());
    backend::VerificationCode code =
        runSync(server.client().demoVerificationCode(demoTckn, Operation::Unblock));
    backend::Session session = runSync(server.client().startSession(code.code));
    runSync(server.client().checkCard(session.id, card.serial, card.keys.certificate));
    runSync(server.client().sendSms(session.id));
    std::string sms = lastSmsCode(server.client());
    runSync(server.client().confirmSms(session.id, sms));
    std::string logs = server.stderrText();
    CHECK(logs.find(code.code) == std::string::npos);
    CHECK(logs.find(sms) == std::string::npos);
    CHECK(logs.find("demo-parola") == std::string::npos);
    CHECK(logs.find(session.id) == std::string::npos);
    CHECK(logs.find(session.id.substr(0, 8) + "…") != std::string::npos);
    std::istringstream lines(logs);
    for (std::string line; std::getline(lines, line);)
        CHECK(json::parse(line, nullptr, false).is_object());
}

TEST_CASE("a production start has no demo routes") {
    TempDir dir;
    ServerProcess server(productionArguments(dir, "2B7E151628AED2A6ABF7158809CF4F3C"));
    CHECK_FALSE(runSync(server.client().health()).demo);
    CHECK(failure(server.client().demoOutbox()).status() == 404);
    CHECK(failure(server.client().demoVerificationCode(demoTckn, Operation::Unblock)).status() ==
          404);
    CHECK(failure(server.client().demoEnrolCard(demoTckn, "123456789012")).status() == 404);
    CHECK(failure(server.client().startSession("123456789012345")).problem() ==
          Problem::CodeUnknown);
    httplib::Client client = checkedClient(server.url());
    checkProblem(client.Get("/api/docs"), 404, Problem::NotFound);
}

TEST_CASE("demo mode serves the API reference rendered from openapi.yaml") {
    httplib::Client client = checkedClient(demoServer().process.url());
    httplib::Result docs = client.Get("/api/docs");
    REQUIRE(docs);
    CHECK(docs->status == 200);
    CHECK(docs->get_header_value("Content-Type") == "text/html; charset=utf-8");
    // Every route of the document has its section.
    for (const char* route :
         {"<code>GET /api/v1/health</code>", "<code>POST /api/v1/sessions</code>",
          "<code>POST /api/v1/sessions/{id}/authorization</code>",
          "<code>PUT /internal/v1/holders/{tckn}</code>", "<code>POST /demo/cards</code>"})
        CHECK_MESSAGE(docs->body.find(route) != std::string::npos, route);
    CHECK(docs->body.find("urn:kamusm-pin:problem:session-locked") != std::string::npos);
}

TEST_CASE("production end to end: issuer API, own CA and master key, file SMS outbox") {
    TempDir dir;
    const std::string keyHex = "2B7E151628AED2A6ABF7158809CF4F3C";
    const std::string token = "issuer-token-0123456789abcdef0123456789";
    writeFile(dir.path() / "master.key", keyHex);
    writeFile(dir.path() / "issuer.token", token + "\n");
    server::CertificateAuthority ca = server::CertificateAuthority::generate("CN=Prod CA,C=TR");
    writeFile(dir.path() / "ca.der", std::string(ca.certificate().begin(), ca.certificate().end()));
    std::filesystem::path outbox = dir.path() / "sms.log";
    ServerProcess server({"--data-dir", (dir.path() / "data").string(), "--master-key-file",
                          (dir.path() / "master.key").string(), "--ca-file",
                          (dir.path() / "ca.der").string(), "--issuer-token-file",
                          (dir.path() / "issuer.token").string(), "--issuer-port", "0",
                          "--sms-outbox-file", outbox.string()});
    // The issuer API is not on the public port.
    httplib::Client publicPort = checkedClient(server.url());
    checkProblem(
        publicPort.Post("/internal/v1/verification-codes", {{"Authorization", "Bearer " + token}},
                        R"({"tckn":"12345678950","operation":"unblock"})", "application/json"),
        404, Problem::NotFound);
    httplib::Client issuer = checkedClient(server.issuerUrl());
    httplib::Headers auth{{"Authorization", "Bearer " + token}};
    const std::string tckn = "12345678950", serial = "555566667777";

    checkProblem(
        issuer.Put("/internal/v1/cards/" + serial, R"({"tckn":"12345678950"})", "application/json"),
        401, Problem::Unauthorized);
    checkProblem(issuer.Put("/internal/v1/cards/" + serial, {{"Authorization", "Bearer wrong"}},
                            R"({"tckn":"12345678950"})", "application/json"),
                 401, Problem::Unauthorized);
    httplib::Result holder = issuer.Put(
        "/internal/v1/holders/" + tckn, auth,
        R"({"name":"ALI VELI","phone":"+905321234567","confirmation":"sms","password":"gizli"})",
        "application/json");
    REQUIRE(holder);
    CHECK(holder->status == 204);
    REQUIRE(issuer
                .Put("/internal/v1/cards/" + serial, auth, R"({"tckn":"12345678950"})",
                     "application/json")
                ->status == 204);
    httplib::Result issued =
        issuer.Post("/internal/v1/verification-codes", auth,
                    R"({"tckn":"12345678950","operation":"unblock"})", "application/json");
    REQUIRE(issued);
    REQUIRE(issued->status == 201);
    std::string code = json::parse(issued->body)["code"];

    auto& client = server.client();
    backend::Session session = runSync(client.startSession(code));
    CHECK(session.holder.name == "ALI VELI");
    CHECK(session.holder.tcknMasked == "123******50");
    std::time_t now = std::time(nullptr);
    server::IssuedKey card = ca.issue(tckn, "ALI VELI", now - 60, now + 3600);
    runSync(client.checkCard(session.id, serial, card.certificate));
    CHECK(runSync(client.sendSms(session.id)).sentTo == "*******67");
    std::ifstream log(outbox);
    std::string line, last;
    while (std::getline(log, line))
        last = line;
    CHECK(last.find("+905321234567") != std::string::npos);
    auto digits = last.find_first_of("0123456789", last.find("kodunuz: "));
    REQUIRE(digits != std::string::npos);
    runSync(client.confirmSms(session.id, last.substr(digits, 6)));
    Bytes challenge = server::randomBytes(16);
    CHECK(runSync(client.authorize(session.id, serial, challenge)) ==
          server::unblockCryptogram(fromHex(keyHex), serial, challenge));
    runSync(client.reportOutcome(session.id, backend::Outcome::Success));
}

TEST_CASE("a production start refuses the demo master key, weak and missing keys") {
    TempDir dir;
    std::string output;
    CHECK(runServer(productionArguments(dir, "000102030405060708090A0B0C0D0E0F"), output) == 2);
    CHECK(output.find("demo master key") != std::string::npos);
    for (const char* weak :
         {"00000000000000000000000000000000", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"}) {
        CHECK(runServer(productionArguments(dir, weak), output) == 2);
        CHECK(output.find("one repeated byte") != std::string::npos);
    }
    CHECK(runServer(productionArguments(dir, "2B7E151628AED2A6ABF7158809CF4F3C"), output, 3) ==
          -1); // starts (and is stopped after 3 s): a real key is taken
    CHECK(runServer({"--data-dir", (dir.path() / "data").string()}, output) == 2);
    CHECK(output.find("master-key-file") != std::string::npos);
    CHECK(runServer({"--no-such-flag"}, output) == 2);
    CHECK(runServer({"--port", "70000"}, output) == 2);
    writeFile(dir.path() / "short.token", "short");
    std::vector<std::string> shortToken =
        productionArguments(dir, "2B7E151628AED2A6ABF7158809CF4F3C");
    shortToken.insert(
        shortToken.end(),
        {"--issuer-token-file", (dir.path() / "short.token").string(), "--issuer-port", "0"});
    CHECK(runServer(shortToken, output) == 2);
    CHECK(output.find("issuer token") != std::string::npos);
    CHECK(runServer({"--help"}, output) == 0);
    CHECK(output.find("--frame-ancestors") != std::string::npos);
}

TEST_CASE("a database keeps the mode it was made in") {
    TempDir dir;
    std::string output;
    std::vector<std::string> production =
        productionArguments(dir, "2B7E151628AED2A6ABF7158809CF4F3C");
    { ServerProcess demo({"--demo", "--data-dir", (dir.path() / "data").string()}); }
    // The demo holder, its cards and the demo CA key must not become production data …
    CHECK(runServer(production, output) == 2);
    CHECK(output.find("holds demo data") != std::string::npos);
    // … nor a demo start write its holder into a production database.
    production[1] = (dir.path() / "prod").string();
    { ServerProcess first(production); }
    CHECK(runServer({"--demo", "--data-dir", production[1]}, output) == 2);
    CHECK(output.find("holds production data") != std::string::npos);
    ServerProcess again(production);
    CHECK_FALSE(runSync(again.client().health()).demo);
}

TEST_CASE("static files: MIME types, compression, CSP and framing") {
    TempDir dir;
    std::filesystem::path web = dir.path() / "web";
    std::filesystem::create_directories(web);
    writeFile(web / "index.html", "<!doctype html><title>PIN</title>");
    std::string script;
    for (int i = 0; i < 400; ++i)
        script += "console.log('kamusm pin app line');\n";
    writeFile(web / "app.js", script);
    writeFile(web / "app.wasm", std::string("\0asm\x01\0\0\0", 8) + std::string(4000, '\0'));
    REQUIRE(std::system(("gzip -k -9 " + (web / "app.wasm").string()).c_str()) == 0);
    writeFile(dir.path() / "secret.txt", "outside");
    ServerProcess server({"--demo", "--data-dir", (dir.path() / "data").string(), "--static-dir",
                          web.string(), "--frame-ancestors", "https://kamusm.example"});
    httplib::Client client = checkedClient(server.url());

    httplib::Result index = client.Get("/");
    REQUIRE(index);
    CHECK(index->status == 200);
    CHECK(index->get_header_value("Content-Type") == "text/html; charset=utf-8");
    std::string csp = index->get_header_value("Content-Security-Policy");
    CHECK(csp.find("script-src 'self' 'wasm-unsafe-eval'") != std::string::npos);
    CHECK(csp.find("require-trusted-types-for 'script'; trusted-types kamusm-loader") !=
          std::string::npos);
    CHECK(csp.find("frame-ancestors https://kamusm.example") != std::string::npos);
    CHECK_FALSE(index->has_header("X-Frame-Options"));
    CHECK(index->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(index->get_header_value("Referrer-Policy") == "no-referrer");

    httplib::Result wasm = client.Get("/app.wasm");
    REQUIRE(wasm);
    CHECK(wasm->get_header_value("Content-Type") == "application/wasm");
    CHECK(wasm->body.size() == 4008);
    httplib::Result packed = client.Get("/app.wasm", {{"Accept-Encoding", "gzip"}});
    REQUIRE(packed);
    CHECK(packed->get_header_value("Content-Encoding") == "gzip");
    CHECK(packed->body.size() == 4008); // the client inflated it

    httplib::Result js = client.Get("/app.js", {{"Accept-Encoding", "gzip"}});
    REQUIRE(js);
    CHECK(js->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(js->get_header_value("Content-Encoding") == "gzip");
    CHECK(js->body == script);

    CHECK(js->get_header_value("Vary") == "Accept-Encoding");

    checkProblem(client.Get("/../secret.txt"), 404, Problem::NotFound);
    checkProblem(client.Get("/%2e%2e/secret.txt"), 404, Problem::NotFound);
    checkProblem(client.Get("/missing.js"), 404, Problem::NotFound);
    // A NUL cannot cut the name short ("index.html\0.js" is not index.html).
    checkProblem(client.Get("/index.html%00.js"), 400, Problem::InvalidRequest);
    checkProblem(client.Get("/index.html%00"), 400, Problem::InvalidRequest);
    CHECK(runSync(server.client().health()).status == "ok");
}

// The build's .br and .gz siblings (tests/build-web.sh) are sent as they are, by what the
// client accepts; a stale one (older than its file) is not.
TEST_CASE("static files: precompressed siblings") {
    TempDir dir;
    std::filesystem::path web = dir.path() / "web";
    std::filesystem::create_directories(web);
    const std::string script = "console.log('kamusm');\n";
    writeFile(web / "app.js", script);
    writeFile(web / "app.js.br", "brotli bytes");
    writeFile(web / "app.js.gz", "gzip bytes");
    writeFile(web / "app.wasm", std::string("\0asm\x01\0\0\0", 8));
    writeFile(web / "app.wasm.br", "wasm brotli bytes");
    writeFile(web / "old.css", "body{}");
    writeFile(web / "old.css.br", "stale");
    const auto past = std::filesystem::last_write_time(web / "old.css") - std::chrono::hours(1);
    std::filesystem::last_write_time(web / "old.css.br", past);
    ServerProcess server(
        {"--demo", "--data-dir", (dir.path() / "data").string(), "--static-dir", web.string()});
    httplib::Client client(server.url());
    client.set_decompress(false); // the bytes as sent

    using Sent = std::pair<std::string, std::string>; // Content-Encoding, body
    const auto get = [&](const char* path, const char* acceptEncoding) {
        httplib::Result result = client.Get(path, {{"Accept-Encoding", acceptEncoding}});
        REQUIRE(result);
        CHECK(result->status == 200);
        CHECK(result->get_header_value("Vary") == "Accept-Encoding");
        return Sent{result->get_header_value("Content-Encoding"), result->body};
    };
    CHECK(get("/app.js", "gzip, deflate, br") == Sent{"br", "brotli bytes"});
    CHECK(get("/app.js", "gzip") == Sent{"gzip", "gzip bytes"});
    CHECK(get("/app.js", "br;q=0, gzip;q=0.5") == Sent{"gzip", "gzip bytes"});
    CHECK(get("/app.js", "identity") == Sent{"", script});
    CHECK(get("/app.js", "*") == Sent{"br", "brotli bytes"});
    CHECK(get("/app.wasm", "br") == Sent{"br", "wasm brotli bytes"});
    // No .gz sibling, and wasm is not gzipped on the way.
    CHECK(get("/app.wasm", "gzip").first.empty());
    CHECK(get("/old.css", "br") == Sent{"", "body{}"});
    httplib::Result wasm = client.Get("/app.wasm", {{"Accept-Encoding", "br"}});
    REQUIRE(wasm);
    CHECK(wasm->get_header_value("Content-Type") == "application/wasm");
}

TEST_CASE("the OpenAPI document lists every route and problem type") {
    std::ifstream file(KAMUSM_SOURCE_DIR "/src/server/openapi.yaml");
    std::stringstream text;
    text << file.rdbuf();
    std::string openapi = text.str();
    for (const char* path : {"/api/v1/health:", "/api/v1/sessions:", "/api/v1/sessions/{id}/card:",
                             "/api/v1/sessions/{id}/sms:", "/api/v1/sessions/{id}/confirm:",
                             "/api/v1/sessions/{id}/authorization:",
                             "/api/v1/sessions/{id}/outcome:", "/demo/verification-codes:",
                             "/demo/outbox:", "/demo/cards:", "/internal/v1/holders/{tckn}:",
                             "/internal/v1/cards/{serial}:", "/internal/v1/verification-codes:"})
        CHECK_MESSAGE(openapi.find(path) != std::string::npos, path);
    for (int p = static_cast<int>(Problem::InvalidRequest);
         p <= static_cast<int>(Problem::Unauthorized); ++p) {
        Problem problem = static_cast<Problem>(p);
        std::string entry = std::string(backend::problemSlug(problem)) + " " +
                            std::to_string(server::problemStatus(problem));
        CHECK_MESSAGE(openapi.find(entry) != std::string::npos, entry);
    }
}

TEST_CASE("the example configuration file is accepted") {
    TempDir dir;
    std::string output;
    // Its paths do not exist here, so the start fails after the file parsed: on the master key.
    CHECK(runServer({"--config", KAMUSM_SOURCE_DIR "/assets/server/kamusm-server.example.json",
                     "--data-dir", (dir.path() / "data").string(), "--static-dir", ""},
                    output) == 2);
    CHECK(output.find("master key file") != std::string::npos);
}
