#include "kamusm/server/app.hpp"

#include "kamusm/server/demo.hpp"
#include "kamusm/server/log.hpp"
#include "kamusm/server/routes.hpp"

#include <mbedtls/x509_crt.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace kamusm::server {

namespace fs = std::filesystem;

namespace {

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
    if (!config.staticDir.empty() && !fs::is_directory(config.staticDir))
        throw ConfigError("--static-dir " + config.staticDir + " is not a directory");
}

std::string prepareDataDir(const std::string& dir) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error)
        throw ConfigError("cannot create the data directory " + dir + ": " + error.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
    return (fs::path(dir) / "kamusm.db").string();
}

} // namespace

struct App::Impl {
    Config config;
    Database db;
    OutboxGateway sms;
    Bytes masterKey;
    std::unique_ptr<CertificateAuthority> demoCa; // before caCertificate, which fills it
    Bytes caCertificate;
    Sessions sessions;
    std::unique_ptr<Demo> demo;
    httplib::Server http;

    explicit Impl(Config c)
        : config((checkConfig(c), std::move(c))), db(prepareDataDir(config.dataDir)),
          sms(db, config.smsOutboxFile), masterKey(readMasterKey(config)),
          caCertificate(caFor(config, db, demoCa)),
          sessions(config, db, sms, masterKey, caCertificate) {
        if (config.demo) {
            demo = std::make_unique<Demo>(sessions, sms, *demoCa, config.codeLifetime);
            demo->seed();
            addDemoRoutes(http, *demo);
        }
        if (!config.issuerTokenFile.empty())
            addIssuerRoutes(http, sessions, readIssuerToken(config.issuerTokenFile));
        addSessionRoutes(http, sessions, config.demo);
        if (!config.staticDir.empty()) addStaticRoutes(http, config.staticDir);
        installHttpPolicy(http, config);
        int threads = config.threads;
        http.new_task_queue = [threads] {
            return new httplib::ThreadPool(static_cast<std::size_t>(threads));
        };
    }

    static Bytes caFor(const Config& config, Database& db,
                       std::unique_ptr<CertificateAuthority>& demoCa) {
        Bytes production = readCaCertificate(config);
        if (!config.demo) return production;
        demoCa = std::make_unique<CertificateAuthority>(loadDemoCa(db));
        return demoCa->certificate();
    }
};

App::App(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {
    logEvent("info", "started",
             {{"demo", impl_->config.demo},
              {"data_dir", impl_->config.dataDir},
              {"static_dir", impl_->config.staticDir}});
}

App::~App() = default;

int App::bind() {
    const Config& config = impl_->config;
    if (config.port == 0) return impl_->http.bind_to_any_port(config.bind);
    return impl_->http.bind_to_port(config.bind, config.port) ? config.port : -1;
}

bool App::run() {
    return impl_->http.listen_after_bind();
}

void App::stop() {
    impl_->http.stop();
}

} // namespace kamusm::server
