// The server's settings: defaults, then a JSON file (--config / KAMUSM_CONFIG), then KAMUSM_*
// environment variables, then command-line flags, each overriding the one before.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kamusm::server {

struct Config {
    std::string bind = "127.0.0.1";
    int port = 8080; // 0 picks a free port (printed on start)
    std::string dataDir = "kamusm-data";
    // "postgresql://…" (several instances share it) or "sqlite:<file>"; empty: SQLite in the
    // data directory.
    std::string database;
    bool demo = false;
    std::string staticDir;      // empty: no static files
    std::string masterKeyFile;  // 32 hex digits; required outside demo mode
    std::string caFile;         // the card CA's certificate (DER or PEM); demo: the demo CA
    std::string frameAncestors; // the one origin allowed to frame the app ("https://...")
    // The Isolated Web App origins (isolated-app://<id>, comma-separated) whose API requests
    // are answered with CORS headers; empty: none, the API is same-origin only.
    std::string appOrigins;
    // The reverse proxy's address: its requests name the client in X-Forwarded-For.
    std::string trustedProxy;
    // Bearer token file of the /internal/v1 issuer API; empty: no such API. The API listens on
    // its own address and port, never on the public one.
    std::string issuerTokenFile;
    std::string issuerBind = "127.0.0.1";
    int issuerPort = -1; // required with the token; 0 picks a free port
    // The SMS gateway's file outbox; default <data-dir>/sms-outbox.log.
    std::string smsOutboxFile;
    int codeLifetime = 300; // seconds a verification code stays valid
    int smsLifetime = 180;
    int smsResendInterval = 60;
    int sessionLifetime = 900;
    int maxBodyBytes = 16 * 1024;
    int rateWindow = 600;              // seconds over which the limits below count
    int codeAttemptsPerIp = 20;        // POST /sessions
    int sessionsPerHolder = 10;        // sessions opened for one holder
    int confirmAttemptsPerIp = 30;     // POST /confirm
    int confirmAttemptsPerHolder = 10; // POST /confirm, across the holder's sessions
    int smsPerHolder = 5;              // SMS sent
    int issuerFailuresPerIp = 10;      // issuer API requests without the right token
    // The HTTP layer: seconds for a request's headers (counted from the moment the server waits
    // for it) and for its body; header size and count; connections in all and per address.
    int headerTimeout = 10;
    int bodyTimeout = 10;
    int maxHeaderBytes = 8192;
    int maxHeaderFields = 64;
    int maxConnections = 1000;
    int maxConnectionsPerIp = 32;
    int threads = 8; // request workers (and PostgreSQL connections)
    bool help = false;
};

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `arguments` excludes the program name; `environment` holds KAMUSM_* variables.
Config loadConfig(const std::vector<std::string>& arguments,
                  const std::map<std::string, std::string>& environment);
std::map<std::string, std::string> kamusmEnvironment(char** environ);
std::string usage();

} // namespace kamusm::server
