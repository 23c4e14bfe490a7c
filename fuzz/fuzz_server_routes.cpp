// Every route of the reference server that takes a JSON body, through the server's own router
// and handlers on a demo database (SQLite in /dev/shm): the public API's steps on a live
// session, the demo routes and the issuer API. Whatever the body, the answer is a 2xx or a 4xx
// problem: a 5xx means an exception the handlers did not type (the router's bare 500), a crash
// or a hang is a finding too.
//
// Input: a byte picking the route, a byte of flags (bit 0: a live session id in the path, else
// one of 32 fuzzed characters; bit 1: not JSON; bit 2: the issuer token wrong), then the body.
#include "kamusm/server/demo.hpp"
#include "kamusm/server/routes.hpp"
#include "kamusm/server/sessions.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string_view>

using namespace kamusm;
using namespace kamusm::server;

namespace {

constexpr std::string_view issuerToken = "fuzz-issuer-token-0123456789abcdef";

struct Route {
    Method method;
    std::string_view path; // "{session}" is replaced
};

constexpr std::array<Route, 11> routes{{
    {Method::Post, "/api/v1/sessions"},
    {Method::Post, "/api/v1/sessions/{session}/card"},
    {Method::Post, "/api/v1/sessions/{session}/sms"},
    {Method::Post, "/api/v1/sessions/{session}/confirm"},
    {Method::Post, "/api/v1/sessions/{session}/authorization"},
    {Method::Post, "/api/v1/sessions/{session}/outcome"},
    {Method::Post, "/demo/verification-codes"},
    {Method::Post, "/demo/cards"},
    {Method::Put, "/internal/v1/holders/10000000146"},
    {Method::Put, "/internal/v1/cards/123456789012"},
    {Method::Post, "/internal/v1/verification-codes"},
}};

Config fuzzConfig() {
    Config config;
    config.demo = true;
    config.smsResendInterval = 0;
    // The limits would answer most requests with 429 and hide the handlers behind them.
    for (int* limit :
         {&config.codeAttemptsPerIp, &config.sessionsPerHolder, &config.confirmAttemptsPerIp,
          &config.confirmAttemptsPerHolder, &config.smsPerHolder, &config.issuerFailuresPerIp})
        *limit = 1'000'000'000;
    return config;
}

std::string freshDirectory() {
    std::string pattern = "/dev/shm/kamusm-fuzz-routes-XXXXXX";
    if (!mkdtemp(pattern.data())) std::abort();
    return pattern;
}

// The demo server's parts as App puts them together, with both routers' routes in one.
struct Server {
    Config config = fuzzConfig();
    std::string directory = freshDirectory();
    Database db{"sqlite:" + directory + "/kamusm.db", 1};
    FileSmsGateway gateway{"/dev/null"};
    SmsOutbox sms{db, gateway};
    CertificateAuthority ca = loadDemoCa(db);
    Sessions sessions{config, db, sms, demoMasterKey(), ca.certificate()};
    Demo demo{sessions, sms, ca};
    Router router;
    std::string session;
    int requests = 0;

    Server() {
        demo.seed();
        addDemoRoutes(router, demo);
        addSessionRoutes(router, sessions, true);
        addIssuerRoutes(router, sessions, std::string(issuerToken));
        installHttpPolicy(router, config);
    }
    ~Server() { std::filesystem::remove_all(directory); }

    // A session the route steps can act on; a new one now and then, as outcomes close them.
    const std::string& liveSession() {
        if (session.empty() || ++requests % 64 == 0) {
            const std::string code =
                demo.issueCode("10000000146", backend::Operation::Unblock, std::nullopt);
            session = sessions.start(code, "127.0.0.1").id;
        }
        return session;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Server server;
    if (size < 2) return 0;
    const Route& route = routes[data[0] % routes.size()];
    const std::uint8_t flags = data[1];
    std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

    Request request;
    request.method = route.method;
    request.path = route.path;
    request.peer = "127.0.0.1";
    if (const auto at = request.path.find("{session}"); at != std::string::npos) {
        std::string id = server.liveSession();
        if (!(flags & 0x01) && body.size() >= 32) {
            id.assign(body.substr(0, 32));
            body.remove_prefix(32);
        }
        request.path.replace(at, 9, id);
    }
    request.headers.emplace_back("Content-Type", flags & 0x02 ? "text/plain" : "application/json");
    request.headers.emplace_back(
        "Authorization", flags & 0x04 ? "Bearer wrong" : "Bearer " + std::string(issuerToken));
    request.body.assign(body);
    const Response response = server.router.handle(std::move(request));
    if (response.status >= 500 || response.status < 200) std::abort();
    return 0;
}
