#include "kamusm/server/config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <variant>

namespace kamusm::server {

namespace {

using Member = std::variant<int Config::*, std::string Config::*, bool Config::*>;
struct Option {
    const char* key; // JSON key; the flag is --key-with-dashes, the variable KAMUSM_KEY
    Member member;
    int minimum = 0;
    const char* help;
};

const std::array<Option, 35> options{{
    {"port", &Config::port, 0, "TCP port (0: any free port)"},
    {"bind", &Config::bind, 0, "address to listen on"},
    {"data_dir", &Config::dataDir, 0, "directory of the SQLite database and the SMS outbox"},
    {"database", &Config::database, 0,
     "postgresql://… or sqlite:<file> (default: SQLite in the data directory)"},
    {"demo", &Config::demo, 0, "demo mode (interfaces.md): seeded holder, /demo routes, demo key"},
    {"static_dir", &Config::staticDir, 0, "serve the web app's files from this directory"},
    {"master_key_file", &Config::masterKeyFile, 0, "file with the AES-128 master key (32 hex)"},
    {"ca_file", &Config::caFile, 0, "certificate of the CA that issues card certificates"},
    {"frame_ancestors", &Config::frameAncestors, 0, "origin allowed to frame the app"},
    {"app_origins", &Config::appOrigins, 0,
     "isolated-app://<Web Bundle ID> origins allowed to call the API (comma-separated)"},
    {"trusted_proxy", &Config::trustedProxy, 0,
     "reverse proxy address whose X-Forwarded-For names the client"},
    {"issuer_token_file", &Config::issuerTokenFile, 0,
     "bearer token file; enables the /internal/v1 issuer API"},
    {"issuer_bind", &Config::issuerBind, 0, "address of the issuer API's own listener"},
    {"issuer_port", &Config::issuerPort, 0, "port of the issuer API's own listener (0: any)"},
    {"sms_outbox_file", &Config::smsOutboxFile, 0, "file the SMS gateway appends messages to"},
    {"code_lifetime", &Config::codeLifetime, 1, "seconds a verification code is valid"},
    {"sms_lifetime", &Config::smsLifetime, 1, "seconds an SMS code is valid"},
    {"sms_resend_interval", &Config::smsResendInterval, 0, "seconds between two SMS"},
    {"session_lifetime", &Config::sessionLifetime, 1, "seconds a session lives"},
    {"max_body_bytes", &Config::maxBodyBytes, 256, "largest request body"},
    {"rate_window", &Config::rateWindow, 1, "seconds over which the rate limits count"},
    {"code_attempts_per_ip", &Config::codeAttemptsPerIp, 1, "session starts per IP and window"},
    {"sessions_per_holder", &Config::sessionsPerHolder, 1, "sessions per holder and window"},
    {"confirm_attempts_per_ip", &Config::confirmAttemptsPerIp, 1, "confirmations per IP"},
    {"confirm_attempts_per_holder", &Config::confirmAttemptsPerHolder, 1,
     "confirmations per holder"},
    {"sms_per_holder", &Config::smsPerHolder, 1, "SMS per holder and window"},
    {"issuer_failures_per_ip", &Config::issuerFailuresPerIp, 1,
     "issuer API requests without the token per IP and window"},
    {"header_timeout", &Config::headerTimeout, 1, "seconds for a request's headers to arrive"},
    {"body_timeout", &Config::bodyTimeout, 1, "seconds for a request's body to arrive"},
    {"max_header_bytes", &Config::maxHeaderBytes, 1024, "largest request header block"},
    {"max_header_fields", &Config::maxHeaderFields, 8, "most header lines in a request"},
    {"max_connections", &Config::maxConnections, 1, "open connections in all"},
    {"max_connections_per_ip", &Config::maxConnectionsPerIp, 1,
     "open connections from one address (the trusted proxy has no such cap)"},
    {"threads", &Config::threads, 1, "request worker threads"},
    {"help", &Config::help, 0, "print this help"},
}};

std::string flagName(const char* key) {
    std::string flag = std::string("--") + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

std::string envName(const char* key) {
    std::string name = std::string("KAMUSM_") + key;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return name;
}

const Option* findByKey(std::string_view key) {
    for (const Option& option : options)
        if (key == option.key) return &option;
    return nullptr;
}

int parseInt(const Option& option, const std::string& text, const std::string& source) {
    std::size_t used = 0;
    long value = 0;
    try {
        value = std::stol(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    bool port = std::string_view(option.key).ends_with("port");
    long maximum = port ? 65535 : std::numeric_limits<int>::max();
    if (used != text.size() || text.empty() || value < option.minimum || value > maximum)
        throw ConfigError(source + ": \"" + text + "\" is not a valid " + option.key);
    return static_cast<int>(value);
}

bool parseBool(const Option& option, const std::string& text, const std::string& source) {
    if (text == "1" || text == "true" || text == "yes") return true;
    if (text == "0" || text == "false" || text == "no") return false;
    throw ConfigError(source + ": \"" + text + "\" is not a valid " + option.key + " (true/false)");
}

void set(Config& config, const Option& option, const std::string& text, const std::string& source) {
    std::visit(
        [&](auto member) {
            using T = std::remove_reference_t<decltype(config.*member)>;
            if constexpr (std::is_same_v<T, int>)
                config.*member = parseInt(option, text, source);
            else if constexpr (std::is_same_v<T, bool>)
                config.*member = parseBool(option, text, source);
            else
                config.*member = text;
        },
        option.member);
}

void applyFile(Config& config, const std::string& path) {
    std::ifstream file(path);
    if (!file) throw ConfigError("cannot read the configuration file " + path);
    nlohmann::json json = nlohmann::json::parse(file, nullptr, false);
    if (!json.is_object()) throw ConfigError(path + ": not a JSON object");
    for (const auto& [key, value] : json.items()) {
        const Option* option = findByKey(key);
        std::string source = path + ": " + key;
        if (!option || key == "help") throw ConfigError(path + ": unknown setting \"" + key + "\"");
        if (value.is_string())
            set(config, *option, value.get<std::string>(), source);
        else if (value.is_boolean() || value.is_number_integer())
            set(config, *option, value.dump(), source);
        else
            throw ConfigError(source + " has the wrong type");
    }
}

std::optional<std::string> configPath(const std::vector<std::string>& arguments,
                                      const std::map<std::string, std::string>& environment) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--config") {
            if (i + 1 == arguments.size()) throw ConfigError("--config needs a file");
            return arguments[i + 1];
        }
        if (arguments[i].starts_with("--config=")) return arguments[i].substr(9);
    }
    if (auto it = environment.find("KAMUSM_CONFIG"); it != environment.end()) return it->second;
    return std::nullopt;
}

void applyFlags(Config& config, const std::vector<std::string>& arguments) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string flag = arguments[i];
        std::optional<std::string> value;
        if (auto equals = flag.find('='); equals != std::string::npos) {
            value = flag.substr(equals + 1);
            flag.resize(equals);
        }
        if (flag == "--config") {
            if (!value) ++i;
            continue;
        }
        const Option* match = nullptr;
        for (const Option& option : options)
            if (flag == flagName(option.key)) match = &option;
        if (!match) throw ConfigError("unknown option " + flag + " (see --help)");
        if (std::holds_alternative<bool Config::*>(match->member)) {
            set(config, *match, value.value_or("true"), flag);
            continue;
        }
        if (!value) {
            if (i + 1 == arguments.size()) throw ConfigError(flag + " needs a value");
            value = arguments[++i];
        }
        set(config, *match, *value, flag);
    }
}

} // namespace

Config loadConfig(const std::vector<std::string>& arguments,
                  const std::map<std::string, std::string>& environment) {
    Config config;
    if (auto path = configPath(arguments, environment)) applyFile(config, *path);
    for (const auto& [name, value] : environment) {
        // Other KAMUSM_* variables belong to other tools.
        for (const Option& option : options)
            if (name == envName(option.key) && name != "KAMUSM_HELP")
                set(config, option, value, name);
    }
    applyFlags(config, arguments);
    if (config.smsOutboxFile.empty()) config.smsOutboxFile = config.dataDir + "/sms-outbox.log";
    return config;
}

std::map<std::string, std::string> kamusmEnvironment(char** environ) {
    std::map<std::string, std::string> result;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view text(*entry);
        auto equals = text.find('=');
        if (equals == std::string_view::npos || !text.starts_with("KAMUSM_")) continue;
        result.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
    return result;
}

std::string usage() {
    std::string text = "usage: kamusm-server [options]\n"
                       "Each option is also a KAMUSM_* variable and a key of the JSON file given "
                       "by --config / KAMUSM_CONFIG.\n\n  --config <file>\n";
    for (const Option& option : options) {
        std::string flag = flagName(option.key);
        if (!std::holds_alternative<bool Config::*>(option.member)) flag += " <value>";
        flag.resize(std::max<std::size_t>(flag.size(), 30), ' ');
        text += "  " + flag + " " + option.help + "\n";
    }
    return text;
}

} // namespace kamusm::server
