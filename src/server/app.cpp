#include "kamusm/server/app.hpp"

#include "kamusm/server/cors.hpp"
#include "kamusm/server/demo.hpp"
#include "kamusm/server/http_server.hpp"
#include "kamusm/server/log.hpp"
#include "kamusm/server/routes.hpp"

#include <mbedtls/x509_crt.h>

#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace kamusm::server {

namespace fs = std::filesystem;

namespace {

// How often undelivered SMS are handed over again, and old rows dropped.
constexpr auto sweepInterval = std::chrono::seconds(5);
constexpr int staleDeliverySeconds = 30;
constexpr int sweepsPerPurge = 12;

// A key with one byte repeated (all zero, say) is a placeholder, not a secret.
bool weakKey(const Bytes& key) {
    return key == demoMasterKey() ||
           std::all_of(key.begin(), key.end(), [&](std::uint8_t b) { return b == key.front(); });
}

Bytes readMasterKey(const Config& config) {
    if (config.demo) {
        if (!config.masterKeyFile.empty())
            throw ConfigError("demo mode uses the demo master key; drop --master-key-file");
        return demoMasterKey();
    }
    if (config.masterKeyFile.empty())
        throw ConfigError("a production start needs --master-key-file (32 hex digits)");
    std::ifstream file(config.masterKeyFile);
    std::stringstream text;
    text << file.rdbuf();
    if (!file) throw ConfigError("cannot read the master key file " + config.masterKeyFile);
    Bytes key;
    try {
        key = fromHex(text.str());
    } catch (const std::invalid_argument&) {
    }
    if (key.size() != 16)
        throw ConfigError("the master key file must hold 32 hex digits (AES-128)");
    if (key == demoMasterKey()) throw ConfigError("refusing the demo master key outside demo mode");
    if (weakKey(key))
        throw ConfigError("refusing a master key of one repeated byte: generate a random one");
    return key;
}

Bytes readCaCertificate(const Config& config) {
    if (config.demo) {
        if (!config.caFile.empty()) throw ConfigError("demo mode uses the demo CA; drop --ca-file");
        return {};
    }
    if (config.caFile.empty())
        throw ConfigError("a production start needs --ca-file (the card CA's certificate)");
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse_file(&crt, config.caFile.c_str());
    Bytes der = rc == 0 ? Bytes(crt.raw.p, crt.raw.p + crt.raw.len) : Bytes();
    mbedtls_x509_crt_free(&crt);
    if (der.empty()) throw ConfigError("cannot read a certificate from " + config.caFile);
    return der;
}

std::string readIssuerToken(const std::string& path) {
    std::ifstream file(path);
    std::string token;
    std::getline(file, token);
    if (token.size() < 32)
        throw ConfigError("the issuer token file must hold a token of at least 32 characters");
    return token;
}

void checkConfig(const Config& config) {
    static const std::regex origin(R"(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)");
    if (!config.frameAncestors.empty() && !std::regex_match(config.frameAncestors, origin))
        throw ConfigError("--frame-ancestors must be one origin like https://example.gov.tr");
    parseAppOrigins(config.appOrigins); // throws on anything but isolated-app origins
    if (!config.staticDir.empty() && !fs::is_directory(config.staticDir))
        throw ConfigError("--static-dir " + config.staticDir + " is not a directory");
    if (!config.issuerTokenFile.empty() && config.issuerPort < 0)
        throw ConfigError("the issuer API needs a port of its own: --issuer-port (0: any)");
}

std::string prepareDataDir(const Config& config) {
    std::error_code error;
    fs::create_directories(config.dataDir, error);
    if (error)
        throw ConfigError("cannot create the data directory " + config.dataDir + ": " +
                          error.message());
    fs::permissions(config.dataDir, fs::perms::owner_all, fs::perm_options::replace, error);
    if (!config.database.empty()) return config.database;
    return "sqlite:" + (fs::path(config.dataDir) / "kamusm.db").string();
}

// A database belongs to one mode for good: production must not inherit the demo's holder,
// cards and CA key, nor the demo write its holder into production data. Databases from before
// the mark was kept are demo ones when they hold the demo CA.
void claimMode(Database& db, bool demo) {
    std::string wanted = demo ? "demo" : "production";
    std::string found = db.transact([&](Tx& tx) {
        auto mode = tx.queryOne("SELECT value FROM settings WHERE name = 'mode'");
        if (mode) return mode->text(0);
        bool demoCa = tx.queryOne("SELECT 1 FROM settings WHERE name = 'demo_ca_key'").has_value();
        std::string inferred = demoCa ? "demo" : wanted;
        tx.execute("INSERT INTO settings (name, value) VALUES ('mode', ?)", {inferred});
        return inferred;
    });
    if (found != wanted)
        throw ConfigError("the database holds " + found + " data; a " + wanted +
                          " start needs a database of its own");
}

HttpLimits httpLimits(const Config& config) {
    HttpLimits limits;
    limits.headerTimeout = std::chrono::seconds(config.headerTimeout);
    limits.bodyTimeout = std::chrono::seconds(config.bodyTimeout);
    limits.maxHeaderBytes = static_cast<std::size_t>(config.maxHeaderBytes);
    limits.maxHeaderFields = static_cast<std::size_t>(config.maxHeaderFields);
    limits.maxBodyBytes = static_cast<std::size_t>(config.maxBodyBytes);
    limits.maxConnections = config.maxConnections;
    limits.maxConnectionsPerAddress = config.maxConnectionsPerIp;
    limits.uncappedAddress = config.trustedProxy;
    return limits;
}

// Room for every connection allowed, the database and the logs.
void raiseDescriptorLimit(int connections) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t wanted = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(connections) + 256);
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = wanted;
    setrlimit(RLIMIT_NOFILE, &limit);
}

} // namespace

struct App::Impl {
    Config config;
    Bytes masterKey; // read first: a start without its keys fails before touching the database
    Database db;
    FileSmsGateway gateway;
    SmsOutbox sms;
    std::unique_ptr<CertificateAuthority> demoCa; // before caCertificate, which fills it
    Bytes caCertificate;
    Sessions sessions;
    std::unique_ptr<Demo> demo;
    Router publicRoutes;
    Router issuerRoutes;
    HttpServer http;
    std::optional<int> issuerPort;

    std::mutex sweepMutex;
    std::condition_variable sweepWake;
    bool stopping = false;
    std::thread sweeper;

    explicit Impl(Config c)
        : config((checkConfig(c), std::move(c))), masterKey(readMasterKey(config)),
          db(prepareDataDir(config), config.threads), gateway(config.smsOutboxFile),
          sms(db, gateway), caCertificate((claimMode(db, config.demo), caFor(config, db, demoCa))),
          sessions(config, db, sms, masterKey, caCertificate),
          http(httpLimits(config), config.threads) {
        if (config.demo) {
            demo = std::make_unique<Demo>(sessions, sms, *demoCa);
            demo->seed();
            addDemoRoutes(publicRoutes, *demo);
        }
        addSessionRoutes(publicRoutes, sessions, config.demo);
        addCorsRoutes(publicRoutes, parseAppOrigins(config.appOrigins));
        if (!config.staticDir.empty()) addStaticRoutes(publicRoutes, config.staticDir);
        installHttpPolicy(publicRoutes, config);
        if (!config.issuerTokenFile.empty()) {
            addIssuerRoutes(issuerRoutes, sessions, readIssuerToken(config.issuerTokenFile));
            installHttpPolicy(issuerRoutes, config);
        }
        raiseDescriptorLimit(config.maxConnections);
    }

    static Bytes caFor(const Config& config, Database& db,
                       std::unique_ptr<CertificateAuthority>& demoCa) {
        Bytes production = readCaCertificate(config);
        if (!config.demo) return production;
        demoCa = std::make_unique<CertificateAuthority>(loadDemoCa(db));
        return demoCa->certificate();
    }

    // SMS whose hand-over a crash cut short (here or in another instance) go out again, once
    // their hand-over is staleDeliverySeconds old; old rows go.
    void sweep() {
        for (int round = 0;; ++round) {
            {
                std::unique_lock lock(sweepMutex);
                if (sweepWake.wait_for(lock, sweepInterval, [&] { return stopping; })) return;
            }
            try {
                sms.deliverPending(staleDeliverySeconds);
                if (round % sweepsPerPurge == 0) sessions.purge();
            } catch (const std::exception& error) {
                logEvent("error", "sweep_failed", {{"error", error.what()}});
            }
        }
    }
};

App::App(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {
    logEvent("info", "started",
             {{"demo", impl_->config.demo},
              {"data_dir", impl_->config.dataDir},
              {"static_dir", impl_->config.staticDir}});
}

App::~App() {
    {
        std::lock_guard lock(impl_->sweepMutex);
        impl_->stopping = true;
    }
    impl_->sweepWake.notify_all();
    if (impl_->sweeper.joinable()) impl_->sweeper.join();
}

int App::bind() {
    const Config& config = impl_->config;
    int port = impl_->http.listen(config.bind, config.port, impl_->publicRoutes);
    if (!config.issuerTokenFile.empty())
        impl_->issuerPort =
            impl_->http.listen(config.issuerBind, config.issuerPort, impl_->issuerRoutes);
    return port;
}

std::optional<int> App::issuerPort() const {
    return impl_->issuerPort;
}

void App::run() {
    // A crash may have left SMS queued and not handed over (at least once: one whose hand-over
    // had begun may go out twice).
    impl_->sms.deliverPending(0);
    impl_->sweeper = std::thread([this] { impl_->sweep(); });
    impl_->http.run();
}

void App::stop() {
    impl_->http.stop();
}

} // namespace kamusm::server
