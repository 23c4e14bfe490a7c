// kamusm-vpcd-card: the project's virtual AKIS card in a real PC/SC stack. It connects to vpcd
// (vsmartcard's virtual reader driver, loaded by pcscd) and answers what pcscd sends, so that
// pinctl pcsc, the desktop helper and any PC/SC program see a card in "Virtual PCD 00 00".
// Signals pull the card out and put it back, so that tests can remove it mid-operation.
#include "endpoint.hpp"
#include "link.hpp"

#include "kamusm/backend/api.hpp"
#include "kamusm/backend/httplib_client.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace kamusm::sim::vpcd {

namespace {

const char* const usage =
    "usage: kamusm-vpcd-card [--host HOST] [--port N] [--card t1|t0] [--pin set|not-set|blocked]\n"
    "                        [--server URL] [--pull-at-apdu N] [--removed] [--verbose]\n"
    "Serves the virtual AKIS card (serial 123456789012, PIN 123456) to vpcd at HOST:PORT\n"
    "(127.0.0.1:35963, the first virtual reader). --server enrols the card for the demo holder\n"
    "at a demo backend (POST /demo/cards) and carries the certificate and key it issues.\n"
    "--pull-at-apdu N pulls the card out (once) when the Nth APDU after its insertion comes.\n"
    "--removed starts with the card out. Signals: SIGUSR1 pulls the card out, SIGUSR2 puts it\n"
    "back, SIGTERM/SIGINT stop (the APDUs and PUK commands seen are reported then).\n";

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = defaultPort;
    CardProtocol protocol = CardProtocol::T1;
    DemoPinState pin = DemoPinState::Set;
    std::string server;
    std::optional<int> pullAtApdu;
    bool removed = false, verbose = false;
};

// A positive number below `limit`, or nullopt.
std::optional<long> number(const std::string& text, long limit) {
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value <= 0 || value >= limit) return std::nullopt;
    return value;
}

// The option's value, checked against a table of names; a message for the user otherwise.
template <typename T>
std::string choose(const std::map<std::string, T>& names, const std::string& value, T& out) {
    const auto found = names.find(value);
    if (found == names.end()) return "unknown value '" + value + "'";
    out = found->second;
    return {};
}

std::string parseOne(Options& options, const std::string& flag, const std::string& value) {
    if (flag == "--host") return options.host = value, "";
    if (flag == "--server") return options.server = value, "";
    if (flag == "--card")
        return choose<CardProtocol>({{"t1", CardProtocol::T1}, {"t0", CardProtocol::T0}}, value,
                                    options.protocol);
    if (flag == "--pin")
        return choose<DemoPinState>({{"set", DemoPinState::Set},
                                     {"not-set", DemoPinState::NotSet},
                                     {"blocked", DemoPinState::Blocked}},
                                    value, options.pin);
    if (flag != "--port" && flag != "--pull-at-apdu") return "unknown option " + flag;
    const std::optional<long> n = number(value, flag == "--port" ? 65536 : 1 << 20);
    if (!n) return "'" + value + "' is not a valid number for " + flag;
    if (flag == "--port") return options.port = static_cast<std::uint16_t>(*n), "";
    return options.pullAtApdu = static_cast<int>(*n), "";
}

// Options, or a message for the user.
std::string parse(const std::vector<std::string>& arguments, Options& options) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& flag = arguments[i];
        if (flag == "--removed") {
            options.removed = true;
        } else if (flag == "--verbose") {
            options.verbose = true;
        } else if (!flag.starts_with("--")) {
            return "unexpected argument '" + flag + "'";
        } else if (i + 1 >= arguments.size()) {
            return flag + " needs a value";
        } else if (std::string problem = parseOne(options, flag, arguments[++i]);
                   !problem.empty()) {
            return problem;
        }
    }
    return {};
}

std::shared_ptr<VirtualCard> makeCard(const Options& options) {
    CardSetup setup = demoCardSetup(options.protocol);
    if (!options.server.empty()) {
        backend::HttplibClient http(options.server);
        backend::BackendClient client(http);
        backend::DemoCard issued;
        try {
            issued = runSync(client.demoEnrolCard(std::string(demoTckn), setup.serial));
        } catch (const Error& error) {
            throw Error("cannot enrol the card at " + options.server + ": " + error.what());
        }
        setup.signingCertificate = issued.certificate;
        setup.signingKey = issued.privateKey;
    }
    return demoCard(std::move(setup), options.pin);
}

// Signals become bytes in a pipe, so that the loop waits on the socket and the signals at once.
int signalPipe[2] = {-1, -1};

void onSignal(int number) {
    const int saved = errno;
    const auto byte = static_cast<unsigned char>(number);
    [[maybe_unused]] const ssize_t written = write(signalPipe[1], &byte, 1);
    errno = saved;
}

void installSignals() {
    if (pipe(signalPipe) != 0) throw LinkError("pipe: " + std::string(std::strerror(errno)));
    for (int end : signalPipe)
        fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK);
    struct sigaction action {};
    action.sa_handler = onSignal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int number : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT})
        sigaction(number, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

class Server {
public:
    Server(const Options& options, std::shared_ptr<VirtualCard> card)
        : options_(options), endpoint_(std::move(card), options.pullAtApdu),
          wantInserted_(!options.removed) {}

    int run() {
        log("serving the virtual card to vpcd at " + where() +
            (wantInserted_ ? "" : " (card out: SIGUSR2 puts it in)"));
        while (!stopping_) {
            if (wantInserted_ && !link_.connected()) tryInsert();
            // Waiting for vpcd to listen (pcscd starting) is polled every 100 ms.
            const bool waitingForVpcd = wantInserted_ && !link_.connected();
            pollfd ready[2] = {{signalPipe[0], POLLIN, 0}, {link_.descriptor(), POLLIN, 0}};
            if (::poll(ready, link_.connected() ? 2 : 1, waitingForVpcd ? 100 : -1) < 0 &&
                errno != EINTR)
                throw LinkError("poll: " + std::string(std::strerror(errno)));
            if (ready[0].revents) takeSignals();
            if (link_.connected() && ready[1].revents && !stopping_) serveOne();
        }
        std::cout << "kamusm-vpcd-card: " << endpoint_.apdusSeen() << " APDUs, "
                  << endpoint_.pukCommandsSeen() << " PUK commands seen\n";
        return 0;
    }

private:
    std::string where() const { return options_.host + ":" + std::to_string(options_.port); }
    void log(const std::string& line) const { std::cerr << "kamusm-vpcd-card: " << line << '\n'; }

    void tryInsert() {
        if (!link_.connect(options_.host, options_.port)) return;
        endpoint_.inserted();
        log("card inserted (connected to vpcd at " + where() + ")");
    }

    void pullOut(const std::string& why) {
        if (link_.connected()) log("card removed: " + why);
        link_.close();
        wantInserted_ = false;
    }

    void takeSignals() {
        unsigned char number = 0;
        while (read(signalPipe[0], &number, 1) == 1) {
            if (number == SIGUSR1) pullOut("SIGUSR1");
            if (number == SIGUSR2) wantInserted_ = true;
            if (number == SIGTERM || number == SIGINT) stopping_ = true;
        }
    }

    void serveOne() {
        std::optional<Bytes> message;
        try {
            message = link_.receive(std::chrono::seconds(2));
        } catch (const LinkError& error) {
            log(std::string("connection to vpcd dropped: ") + error.what());
        }
        if (!message) {
            // pcscd stopped or restarted: the card is offered again once vpcd listens.
            if (link_.connected()) log("vpcd closed the connection; reconnecting");
            link_.close();
            return;
        }
        WipeOnExit wipeMessage(*message); // VERIFY and CHANGE carry PINs
        answer(*message);
    }

    void answer(const Bytes& message) {
        std::optional<Bytes> reply;
        try {
            reply = endpoint_.handle(message);
        } catch (const ProtocolError& error) {
            log(std::string("ignored a message outside the vpcd protocol: ") + error.what());
            return;
        }
        const bool isAtrPoll = message.size() == 1 && message[0] == 0x04; // every presence check
        if (options_.verbose && !isAtrPoll) log(endpoint_.lastEvent());
        if (endpoint_.pullRequested()) return pullOut(endpoint_.lastEvent());
        try {
            if (reply) link_.send(*reply);
        } catch (const LinkError& error) {
            log(std::string("connection to vpcd dropped: ") + error.what());
            link_.close();
        }
    }

    const Options& options_;
    Endpoint endpoint_;
    Link link_;
    bool wantInserted_;
    bool stopping_ = false;
};

} // namespace

} // namespace kamusm::sim::vpcd

int main(int argc, char** argv) {
    using namespace kamusm::sim::vpcd;
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    Options options;
    if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::cout << usage;
        return 0;
    }
    if (const std::string problem = parse(arguments, options); !problem.empty()) {
        std::cerr << "kamusm-vpcd-card: " << problem << '\n' << usage;
        return 2;
    }
    try {
        installSignals();
        std::shared_ptr<kamusm::sim::VirtualCard> card = makeCard(options);
        return Server(options, std::move(card)).run();
    } catch (const std::exception& failure) {
        std::cerr << "kamusm-vpcd-card: " << failure.what() << '\n';
        return 1;
    }
}
