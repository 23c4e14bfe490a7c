// pinctl bench: first reads the 2 KB signing certificate through the whole stack on each virtual
// reader, once at the default rate (TA1 11) and once at the rate negotiated from the ATR (CCID
// messages, bytes, modelled card-line time, host time of the stack). Then runs each PIN operation
// end to end (bench/flow.hpp) on each reader model, path and card protocol, and prints the app's
// time split into card line, host stack, server round trips and the rest; the server round trips
// by name; the unblock flow's card line against its physical limit (bench/card_line.hpp); and
// the USB transfers per APDU.
#include "commands.hpp"

#include "bench/flow.hpp"

#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <algorithm>
#include <array>
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

using bench::FlowConfig;
using bench::FlowMeasurement;
using bench::Path;

constexpr std::array<backend::Operation, 3> operations{
    backend::Operation::Create, backend::Operation::Change, backend::Operation::Unblock};

const char* protocolName(sim::CardProtocol protocol) {
    return protocol == sim::CardProtocol::T1 ? "T=1" : "T=0";
}

double milliseconds(double seconds) {
    return seconds * 1000;
}

struct Selection {
    std::optional<sim::ReaderModel> model;
    std::vector<sim::CardProtocol> protocols{sim::CardProtocol::T1, sim::CardProtocol::T0};
    std::vector<Path> paths{Path::Ccid, Path::Pcsc};
    int iterations = 200; // certificate reads timed for the host time
    int runs = 5;         // runs of each flow; the one with the median app time is shown
};

void printCertificateReads(const Selection& selection) {
    std::printf("reading the %zu-byte signing certificate (host time: mean of %d reads)\n",
                sim::demoSigningCertificate().size(), selection.iterations);
    std::printf("%-13s %-4s %-10s %4s %8s %9s %10s %10s %12s\n", "reader", "card", "rate", "TA1",
                "messages", "usb bytes", "card bytes", "wire ms", "host us/read");
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        if (selection.model && *selection.model != model.model) continue;
        for (sim::CardProtocol protocol : selection.protocols) {
            for (bool negotiate : {false, true}) {
                const Measurement m =
                    measure(model.model, protocol, negotiate, selection.iterations);
                std::printf("%-13s %-4s %-10s %02X %8zu %9zu %10zu %10.1f %12.1f\n",
                            model.id.data(), protocolName(protocol),
                            negotiate ? "negotiated" : "default", m.fidi, m.messages, m.usbBytes,
                            m.cardBytes, m.wireMilliseconds, m.hostMicroseconds);
            }
        }
    }
}

// The run with the median app time of `runs`.
FlowMeasurement medianRun(bench::FlowBench& flows, const FlowConfig& config, int runs) {
    std::vector<FlowMeasurement> measured;
    for (int i = 0; i < runs; ++i)
        measured.push_back(flows.run(config));
    std::sort(measured.begin(), measured.end(),
              [](const auto& a, const auto& b) { return a.appSeconds() < b.appSeconds(); });
    return std::move(measured[measured.size() / 2]);
}

struct FlowRow {
    std::string_view reader;
    FlowConfig config;
    FlowMeasurement measured;
};

void printFlows(const std::vector<FlowRow>& rows, int runs) {
    std::printf("\neach operation from the code entered to the done screen, the holder's typing "
                "left out\n(kamusm-server in demo mode over loopback, SMS confirmation; the run "
                "with the median app time of %d)\n",
                runs);
    std::printf("%-13s %-4s %-4s %-7s %5s %7s %6s %5s %8s %8s %6s %9s %7s %7s\n", "reader", "path",
                "card", "op", "apdus", "bulk-out", "bulk-in", "t-ext", "wire ms", "stack ms",
                "trips", "server ms", "rest ms", "app ms");
    for (const FlowRow& row : rows) {
        const FlowMeasurement& m = row.measured;
        std::printf(
            "%-13s %-4s %-4s %-7s %5zu %7zu %6zu %5zu %8.1f %8.1f %6zu %9.1f %7.1f %7.1f\n",
            row.reader.data(), pathId(row.config.path).data(), protocolName(row.config.protocol),
            backend::wireName(row.config.operation).data(), m.card.apdus, m.card.usb.bulkOut,
            m.card.usb.bulkIn, m.card.usb.timeExtensions, milliseconds(m.wireSeconds),
            milliseconds(m.stackSeconds), m.roundTrips.size(), milliseconds(m.serverSeconds),
            milliseconds(m.restSeconds), milliseconds(m.appSeconds()));
    }
}

void printRoundTrips(const std::vector<FlowRow>& rows) {
    std::printf("\nserver round trips of each operation, in order\n");
    for (backend::Operation operation : operations) {
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const FlowRow& r) {
            return r.config.operation == operation;
        });
        if (row == rows.end()) continue;
        std::printf("%s: %zu\n", backend::wireName(operation).data(),
                    row->measured.roundTrips.size());
        for (const bench::RoundTrip& trip : row->measured.roundTrips)
            std::printf("  %s\n", trip.name.data());
    }
}

void printCardLine(const std::vector<FlowRow>& rows) {
    std::printf("\nthe unblock flow (a %zu-byte certificate) on the card line against its physical "
                "limit (card line "
                "characters\nthat must cross x etu at the negotiated rate; bench/card_line.hpp)\n",
                rows.empty() ? std::size_t{0} : rows.front().measured.certificateSize);
    std::printf("%-13s %-4s %-4s %3s %6s %6s %8s %8s %6s\n", "reader", "path", "card", "TA1",
                "chars", "limit", "wire ms", "limit ms", "ratio");
    for (const FlowRow& row : rows) {
        if (row.config.operation != backend::Operation::Unblock) continue;
        const FlowMeasurement& m = row.measured;
        constexpr std::size_t rsaSignatureSize = 256;
        const bench::LineLimit limit = bench::physicalLimit(
            bench::requiredUnblockApdus(m.certificateSize, bench::FlowBench::newPin.size(),
                                        rsaSignatureSize),
            m.lineParameters);
        std::printf("%-13s %-4s %-4s  %02X %6zu %6zu %8.1f %8.1f %6.3f\n", row.reader.data(),
                    pathId(row.config.path).data(), protocolName(row.config.protocol),
                    m.lineParameters.fidi, m.line.cardBytes, limit.characters,
                    milliseconds(m.wireSeconds), milliseconds(limit.seconds),
                    m.wireSeconds / limit.seconds);
    }
}

void printUsbPerApdu(const std::vector<FlowRow>& rows) {
    std::printf("\nUSB transfers per APDU in the unblock flow (one bulk-out and one bulk-in per "
                "CCID\nexchange, plus a bulk-in per time extension; power-on and parameters "
                "included)\n");
    std::printf("%-13s %-4s %-4s %5s %8s %7s %5s %9s\n", "reader", "path", "card", "apdus",
                "bulk-out", "bulk-in", "t-ext", "per apdu");
    for (const FlowRow& row : rows) {
        if (row.config.operation != backend::Operation::Unblock) continue;
        const bench::CardMeter& m = row.measured.card;
        const double apdus = static_cast<double>(m.apdus);
        std::printf("%-13s %-4s %-4s %5zu %8zu %7zu %5zu %9.2f\n", row.reader.data(),
                    pathId(row.config.path).data(), protocolName(row.config.protocol), m.apdus,
                    m.usb.bulkOut, m.usb.bulkIn, m.usb.timeExtensions,
                    static_cast<double>(m.usb.bulkOut + m.usb.bulkIn) / apdus);
    }
}

std::optional<Selection> parseSelection(const Arguments& arguments) {
    Selection selection;
    for (std::size_t i = 0; i < arguments.size(); i += 2) {
        if (i + 1 >= arguments.size()) return std::nullopt;
        const std::string& flag = arguments[i];
        const std::string& value = arguments[i + 1];
        if (flag == "--model") {
            selection.model = sim::readerModelById(value);
            if (!selection.model) return std::nullopt;
        } else if (flag == "--card" && (value == "t1" || value == "t0")) {
            selection.protocols = {value == "t0" ? sim::CardProtocol::T0 : sim::CardProtocol::T1};
        } else if (flag == "--transport" && (value == "ccid" || value == "pcsc")) {
            selection.paths = {value == "ccid" ? Path::Ccid : Path::Pcsc};
        } else if (flag == "--iterations" || flag == "--runs") {
            int& target = flag == "--runs" ? selection.runs : selection.iterations;
            try {
                target = std::max(1, std::stoi(value));
            } catch (const std::exception&) {
                return std::nullopt;
            }
        } else {
            return std::nullopt;
        }
    }
    return selection;
}

} // namespace

int benchCommand(const Arguments& arguments) {
    const std::optional<Selection> selection =
        hasFlag(arguments, "--help") ? std::nullopt : parseSelection(arguments);
    if (!selection) {
        std::cerr << "usage: pinctl bench [--model ID] [--card t1|t0] [--transport ccid|pcsc] "
                     "[--iterations N] [--runs N]\n";
        return 2;
    }
    printCertificateReads(*selection);

    bench::FlowBench flows(campaign::serverBesidePinctl());
    std::vector<FlowRow> rows;
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        if (selection->model && *selection->model != model.model) continue;
        for (Path path : selection->paths)
            for (sim::CardProtocol protocol : selection->protocols)
                for (backend::Operation operation : operations) {
                    const FlowConfig config{model.model, path, protocol, operation};
                    rows.push_back({model.id, config, medianRun(flows, config, selection->runs)});
                }
    }
    printFlows(rows, selection->runs);
    printRoundTrips(rows);
    printCardLine(rows);
    printUsbPerApdu(rows);
    return 0;
}

} // namespace kamusm::cli
