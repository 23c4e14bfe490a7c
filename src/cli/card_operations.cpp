#include "card_operations.hpp"

#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/reader.hpp"

#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace kamusm::cli {

using json = nlohmann::ordered_json;

const char* const operationUsage =
    "operations:\n"
    "  info          reader, ATR and negotiated protocol\n"
    "  serial        the card serial number\n"
    "  certificates  the signing and encryption certificates\n"
    "  pin-status    PIN state and tries left\n"
    "  verify        verify the PIN read from standard input\n"
    "  change        change the PIN: current and new PIN, one per line on standard input\n"
    "options: --slot N  --trace (every CCID message, T=1 block and APDU)  --json\n";

namespace {

struct TraceLabel {
    ccid::TraceKind kind;
    const char* label;
};
constexpr std::array<TraceLabel, 7> traceLabels{{
    {ccid::TraceKind::CcidOut, "ccid >"},
    {ccid::TraceKind::CcidIn, "ccid <"},
    {ccid::TraceKind::InterruptIn, "intr <"},
    {ccid::TraceKind::T1Out, "t=1  >"},
    {ccid::TraceKind::T1In, "t=1  <"},
    {ccid::TraceKind::ApduCommand, "apdu >"},
    {ccid::TraceKind::ApduResponse, "apdu <"},
}};

bool isPinCommand(ByteView apdu) {
    constexpr std::array<std::uint8_t, 3> pinInstructions{0x20, 0x24,
                                                          0x2C}; // VERIFY, CHANGE, RESET
    return apdu.size() > 5 && std::find(pinInstructions.begin(), pinInstructions.end(), apdu[1]) !=
                                  pinInstructions.end();
}

// How many leading bytes of a record may be shown while a PIN is on the wire.
std::size_t visibleBytes(ccid::TraceKind kind) {
    switch (kind) {
    case ccid::TraceKind::CcidOut:
        return 10; // the CCID header
    case ccid::TraceKind::T1Out:
        return 3; // NAD PCB LEN
    case ccid::TraceKind::ApduCommand:
        return 5;
    default:
        return SIZE_MAX;
    }
}

} // namespace

void PrintingTrace::record(ccid::TraceKind kind, ByteView bytes) {
    if (kind == ccid::TraceKind::ApduCommand) hidingPin_ = isPinCommand(bytes);
    const char* label = "?";
    for (const TraceLabel& row : traceLabels)
        if (row.kind == kind) label = row.label;
    const std::size_t shown =
        hidingPin_ ? std::min(bytes.size(), visibleBytes(kind)) : bytes.size();
    out_ << label << ' ' << toHex(bytes.first(shown), ' ');
    if (shown < bytes.size()) out_ << " [" << bytes.size() - shown << " bytes hidden]";
    out_ << '\n';
    if (kind == ccid::TraceKind::ApduResponse) hidingPin_ = false;
}

card::Pin readPin(const char* prompt) {
    const bool terminal = isatty(STDIN_FILENO);
    termios saved{};
    if (terminal) {
        std::cerr << prompt << std::flush;
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    // A byte at a time with read(2), into a buffer wiped after: the C library's buffer of
    // standard input would keep every line typed, PINs and all, for the rest of the process.
    std::array<char, 256> line{};
    std::size_t length = 0;
    for (char c = 0; length < line.size();) {
        const ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0 || c == '\n') break;
        line[length++] = c;
    }
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << '\n';
    }
    card::Pin pin(std::string_view(line.data(), length));
    wipe(line.data(), line.size());
    return pin;
}

namespace {

std::string sha256Hex(ByteView bytes) {
    std::array<unsigned char, 32> digest{};
    mbedtls_sha256_ret(bytes.data(), bytes.size(), digest.data(), 0);
    return toHex(digest, ':');
}

json describeCertificate(ByteView der) {
    json result{{"size", der.size()}, {"sha256", sha256Hex(der)}};
    mbedtls_x509_crt certificate;
    mbedtls_x509_crt_init(&certificate);
    if (mbedtls_x509_crt_parse_der(&certificate, der.data(), der.size()) == 0) {
        std::array<char, 512> text{};
        mbedtls_x509_dn_gets(text.data(), text.size(), &certificate.subject);
        result["subject"] = text.data();
        mbedtls_x509_dn_gets(text.data(), text.size(), &certificate.issuer);
        result["issuer"] = text.data();
        const auto date = [](const mbedtls_x509_time& t) {
            std::array<char, 16> buffer{};
            std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02d", t.year, t.mon, t.day);
            return std::string(buffer.data());
        };
        result["valid_from"] = date(certificate.valid_from);
        result["valid_to"] = date(certificate.valid_to);
    } else {
        result["error"] = "not an X.509 certificate";
    }
    mbedtls_x509_crt_free(&certificate);
    return result;
}

const char* pinStateName(card::PinState state) {
    constexpr std::array<const char*, 4> names{"verified", "set", "blocked", "not_set"};
    return names[static_cast<std::size_t>(state)];
}

} // namespace

Task<json> runOperation(iso7816::Channel& channel, const std::string& operation) {
    card::AkisCard akis(channel);
    if (operation == "serial") co_return json{{"serial", co_await akis.readSerial()}};
    if (operation == "certificates") {
        json result = json::object();
        const std::pair<const char*, card::Certificate> slots[] = {
            {"signing", card::Certificate::Signing}, {"encryption", card::Certificate::Encryption}};
        for (const auto& [name, which] : slots) {
            try {
                const Bytes der = co_await akis.readCertificate(which);
                result[name] = describeCertificate(der);
            } catch (const card::Error& error) {
                if (error.code() != card::ErrorCode::FileNotFound) throw;
                result[name] = nullptr;
            }
        }
        co_return result;
    }
    if (operation == "pin-status" || operation == "verify" || operation == "change") {
        if (operation == "verify") co_await akis.verifyPin(readPin("PIN: "));
        if (operation == "change") {
            const card::Pin current = readPin("Current PIN: ");
            const card::Pin next = readPin("New PIN: ");
            co_await akis.changePin(current, next);
        }
        const card::PinStatus status = co_await akis.pinStatus();
        co_return json{{"pin", pinStateName(status.state)}, {"tries_left", status.triesLeft}};
    }
    co_return json::object(); // info: the session fields alone
}

namespace {

Task<json> runSession(usb::Device& device, const OperationOptions& options, ccid::Trace* trace) {
    std::unique_ptr<ccid::Reader> reader = co_await ccid::Reader::open(device, trace);
    const usb::DeviceInfo info = device.info();
    json result{{"reader", info.product},
                {"exchange_level", ccid::exchangeLevelName(reader->descriptor().exchangeLevel())}};
    std::unique_ptr<ccid::CardSession> session = co_await reader->connect(options.slot);
    if (!card::isAkisCard(session->atr()))
        throw card::Error(card::ErrorCode::NotKamusmCard, "this is not a KamuSM e-signature card");
    result["atr"] = toHex(session->atr().raw, ' ');
    result["protocol"] = session->protocol();
    result["ta1"] = toHex(Bytes{session->fidi()});
    if (session->protocol() == 1) result["ifsd"] = session->ifsd();
    result.update(co_await runOperation(*session, options.operation));
    co_await session->powerOff();
    co_await reader->close();
    co_return result;
}

void printText(const json& result, std::ostream& out) {
    for (const auto& [key, value] : result.items()) {
        if (value.is_object()) {
            out << key << ":\n";
            for (const auto& [field, text] : value.items())
                out << "  " << field << ": "
                    << (text.is_string() ? text.get<std::string>() : text.dump()) << '\n';
        } else {
            out << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
                << '\n';
        }
    }
}

} // namespace

bool parseOperationOptions(const Arguments& arguments, OperationOptions& options) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument == "--trace")
            options.trace = true;
        else if (argument == "--json")
            options.json = true;
        else if (argument == "--slot" && i + 1 < arguments.size())
            options.slot = static_cast<std::uint8_t>(std::stoi(arguments[++i]));
        else if (argument.rfind("--", 0) == 0)
            return false;
        else if (options.operation.empty())
            options.operation = argument;
        else
            return false;
    }
    constexpr std::array<const char*, 6> operations{"info",       "serial", "certificates",
                                                    "pin-status", "verify", "change"};
    return std::find(operations.begin(), operations.end(), options.operation) != operations.end();
}

int printResult(const json& result, bool asJson, std::ostream& out) {
    if (asJson) {
        json document{{"ok", true}};
        document.update(result);
        out << document.dump(2) << '\n';
    } else {
        printText(result, out);
    }
    return 0;
}

int printFailure(const std::string& error, bool asJson, std::ostream& out, const json& details) {
    if (asJson) {
        json document{{"ok", false}, {"error", error}};
        if (details.is_object()) document.update(details);
        out << document.dump() << '\n';
    } else {
        out << "error: " << error << '\n';
    }
    return 1;
}

int runCardOperation(usb::Device& device, const OperationOptions& options, std::ostream& out) {
    PrintingTrace trace(out);
    json result;
    try {
        result = runSync(runSession(device, options, options.trace ? &trace : nullptr));
    } catch (const Error& error) {
        return printFailure(error.what(), options.json, out);
    }
    return printResult(result, options.json, out);
}

} // namespace kamusm::cli
