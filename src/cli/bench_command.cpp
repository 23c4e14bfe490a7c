// pinctl bench: reads the 2 KB signing certificate through the whole stack on each virtual reader,
// once at the default rate (TA1 11) and once at the rate negotiated from the ATR, and prints the
// CCID messages, bytes and modelled card-line time, plus the host time the stack itself takes.
#include "commands.hpp"

#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace kamusm::cli {

namespace {

struct Measurement {
    std::uint8_t fidi = 0;
    std::size_t messages = 0, usbBytes = 0, cardBytes = 0;
    double wireMilliseconds = 0;
    double hostMicroseconds = 0; // per read, averaged
};

Measurement measure(sim::ReaderModel model, sim::CardProtocol protocol, bool negotiate,
                    int iterations) {
    auto card = std::make_shared<sim::VirtualCard>(sim::demoCardSetup(protocol));
    sim::VirtualReader reader(model, {card});
    auto host = runSync(ccid::Reader::open(reader));
    auto session = runSync(host->connect(0, ccid::ConnectOptions{.negotiateRate = negotiate}));
    card::AkisCard akis(*session);

    reader.resetStatistics();
    runSync(akis.readCertificate(card::Certificate::Signing));
    const sim::LineStatistics& line = reader.lineStatistics();
    Measurement result{line.fidi,      line.messages,           line.usbBytes,
                       line.cardBytes, line.wireSeconds * 1000, 0};

    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i)
        runSync(akis.readCertificate(card::Certificate::Signing));
    const std::chrono::duration<double, std::micro> elapsed =
        std::chrono::steady_clock::now() - start;
    result.hostMicroseconds = elapsed.count() / iterations;
    return result;
}

} // namespace

int benchCommand(const Arguments& arguments) {
    if (hasFlag(arguments, "--help")) {
        std::cerr << "usage: pinctl bench [--model ID] [--card t1|t0] [--iterations N]\n";
        return 2;
    }
    std::optional<sim::ReaderModel> only;
    std::vector<sim::CardProtocol> protocols{sim::CardProtocol::T1, sim::CardProtocol::T0};
    int iterations = 200;
    for (std::size_t i = 0; i + 1 < arguments.size(); i += 2) {
        const std::string& value = arguments[i + 1];
        if (arguments[i] == "--model")
            only = sim::readerModelById(value);
        else if (arguments[i] == "--card")
            protocols = {value == "t0" ? sim::CardProtocol::T0 : sim::CardProtocol::T1};
        else if (arguments[i] == "--iterations")
            iterations = std::max(1, std::stoi(value));
        else
            return 2;
    }
    std::printf("reading the %zu-byte signing certificate (host time: mean of %d reads)\n",
                sim::demoSigningCertificate().size(), iterations);
    std::printf("%-13s %-4s %-10s %4s %8s %9s %10s %10s %12s\n", "reader", "card", "rate", "TA1",
                "messages", "usb bytes", "card bytes", "wire ms", "host us/read");
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        if (only && *only != model.model) continue;
        for (sim::CardProtocol protocol : protocols) {
            for (bool negotiate : {false, true}) {
                const Measurement m = measure(model.model, protocol, negotiate, iterations);
                std::printf("%-13s %-4s %-10s %02X %8zu %9zu %10zu %10.1f %12.1f\n",
                            model.id.data(), protocol == sim::CardProtocol::T1 ? "T=1" : "T=0",
                            negotiate ? "negotiated" : "default", m.fidi, m.messages, m.usbBytes,
                            m.cardBytes, m.wireMilliseconds, m.hostMicroseconds);
            }
        }
    }
    return 0;
}

} // namespace kamusm::cli
