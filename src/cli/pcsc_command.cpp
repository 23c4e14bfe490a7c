// pinctl pcsc: the card operations through the operating system's PC/SC service (pcscd here),
// by the same reader::PcscTransport the browser's PC/SC paths use (interfaces.md, "PC/SC").
#include "card_operations.hpp"
#include "pcsc_readers.hpp"

#include "kamusm/card/akis.hpp"
#include "kamusm/reader/pcsc_transport.hpp"

#ifdef KAMUSM_HAVE_PCSCLITE
#include "kamusm/pcsc/pcsclite_context.hpp"
#endif

#include <iostream>

namespace kamusm::cli {

std::optional<std::string> pickPcscReader(const std::vector<reader::Slot>& slots,
                                          const std::string& wanted) {
    if (wanted.empty()) {
        for (const reader::Slot& slot : slots)
            if (slot.cardPresent) return slot.name;
        return slots.empty() ? std::nullopt : std::optional(slots.front().name);
    }
    for (const reader::Slot& slot : slots)
        if (slot.name == wanted) return slot.name;
    const bool isIndex = wanted.find_first_not_of("0123456789") == std::string::npos;
    if (isIndex && wanted.size() < 6 && std::stoul(wanted) < slots.size())
        return slots[std::stoul(wanted)].name;
    return std::nullopt;
}

#ifdef KAMUSM_HAVE_PCSCLITE

namespace {

using json = nlohmann::ordered_json;

// The exit codes of interfaces.md beyond commands.hpp's 0, 1 and 2.
constexpr int exitNoReader = 3;
constexpr int exitNoService = 4;

int pcscUsage() {
    std::cerr << "usage: pinctl pcsc list [--json]\n"
                 "       pinctl pcsc wait [--json]\n"
                 "       pinctl pcsc [--reader NAME|INDEX] <operation> [--trace] [--json]\n"
                 "Uses the PC/SC service (pcscd). wait lists the readers, waits until a card goes\n"
                 "in or out or a reader comes or goes, and lists them again.\n"
                 "Without --reader: the first reader with a card.\n"
                 "Exit codes: 0 done, 1 the operation failed, 2 bad input, 3 no (such) reader,\n"
                 "4 no PC/SC service.\n"
              << operationUsage;
    return 2;
}

// Shows each APDU in the trace as it passes, PIN data hidden by PrintingTrace.
class TracedChannel : public iso7816::Channel {
public:
    TracedChannel(iso7816::Channel& inner, ccid::Trace& trace) : inner_(inner), trace_(trace) {}
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        Bytes encoded = command.encode();
        WipeOnExit wipeEncoded(encoded);
        trace_.record(ccid::TraceKind::ApduCommand, encoded);
        iso7816::ResponseApdu response = co_await inner_.transmitRaw(command);
        trace_.record(ccid::TraceKind::ApduResponse, response.encode());
        co_return response;
    }
    bool extendedApdus() const override { return inner_.extendedApdus(); }

private:
    iso7816::Channel& inner_;
    ccid::Trace& trace_;
};

std::optional<int> protocolNumber(std::optional<pcsc::Protocol> protocol) {
    if (protocol == pcsc::Protocol::T0) return 0;
    if (protocol == pcsc::Protocol::T1) return 1;
    return std::nullopt;
}

int printList(const std::vector<ReaderRow>& rows, bool asJson) {
    json list = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json atr = rows[i].atr.empty() ? json(nullptr) : json(toHex(rows[i].atr, ' '));
        list.push_back({{"index", i},
                        {"name", rows[i].name},
                        {"atr", atr},
                        {"in_use", rows[i].inUse},
                        {"events", rows[i].events ? json(*rows[i].events) : json(nullptr)}});
        if (!asJson)
            std::cout << i << ": " << rows[i].name
                      << (atr.is_null() ? "" : "  ATR " + atr.get<std::string>()) << '\n';
    }
    if (asJson) std::cout << list.dump(2) << '\n';
    if (rows.empty() && !asJson) std::cout << "no PC/SC reader\n";
    return rows.empty() ? exitNoReader : 0;
}

Task<json> runOnCard(reader::PcscTransport& transport, const std::string& name,
                     const OperationOptions& options, ccid::Trace& trace) {
    std::unique_ptr<reader::Card> card = co_await transport.connect(name);
    if (!card::isAkisCard(card->atr()))
        throw card::Error(card::ErrorCode::NotKamusmCard, "this is not a KamuSM e-signature card");
    json result{{"reader", name}, {"transport", "pcsc"}, {"atr", toHex(card->atr().raw, ' ')}};
    if (const auto* pcscCard = dynamic_cast<const reader::PcscCard*>(card.get()))
        if (const std::optional<int> protocol = protocolNumber(pcscCard->activeProtocol()))
            result["protocol"] = *protocol;
    TracedChannel traced(*card, trace);
    iso7816::Channel& channel = options.trace ? static_cast<iso7816::Channel&>(traced) : *card;
    // No other program's APDUs between ours; the reset at the end drops the verified PIN.
    co_await card->beginTransaction();
    result.update(co_await runOperation(channel, options.operation));
    co_await card->endTransaction();
    co_await card->disconnect();
    co_return result;
}

int runOperationOn(reader::PcscTransport& transport, const std::string& wanted,
                   const OperationOptions& options) {
    const std::vector<reader::Slot> slots = runSync(transport.slots());
    const std::optional<std::string> name = pickPcscReader(slots, wanted);
    if (!name) {
        printFailure(slots.empty() ? "no PC/SC reader" : "no PC/SC reader '" + wanted + "'",
                     options.json, std::cout);
        return exitNoReader;
    }
    PrintingTrace trace(std::cout);
    return printResult(runSync(runOnCard(transport, *name, options, trace)), options.json,
                       std::cout);
}

// `--reader NAME|INDEX` taken out of the arguments; false when it lacks its value.
bool takeReader(Arguments& arguments, std::string& reader) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] != "--reader") continue;
        if (i + 1 >= arguments.size()) return false;
        reader = arguments[i + 1];
        arguments.erase(arguments.begin() + static_cast<std::ptrdiff_t>(i),
                        arguments.begin() + static_cast<std::ptrdiff_t>(i + 2));
        return true;
    }
    return true;
}

// The readers now, then again after the next change that PcscTransport::waitForChange sees.
// A change between the two looks is not lost: the wait compares with what slots() saw.
int waitForChange(bool asJson) {
    const auto listing = pcsc::PcscLiteContext::establish();
    reader::PcscTransport transport(pcsc::PcscLiteContext::establish(),
                                    reader::TransportKind::Pcsc);
    runSync(transport.slots());
    printList(readerRows(*listing), asJson);
    std::cout << std::flush;
    runSync(transport.waitForChange());
    return printList(readerRows(*listing), asJson);
}

int run(Arguments arguments) {
    const bool asJson = hasFlag(arguments, "--json");
    const bool listing = !arguments.empty() && (arguments[0] == "list" || arguments[0] == "wait");
    if (listing && (arguments.size() > 2 || (arguments.size() == 2 && !asJson))) return pcscUsage();
    if (listing && arguments[0] == "list") {
        auto context = pcsc::PcscLiteContext::establish();
        return printList(readerRows(*context), asJson);
    }
    if (listing) return waitForChange(asJson);
    std::string wanted;
    OperationOptions options;
    if (!takeReader(arguments, wanted) || !parseOperationOptions(arguments, options))
        return pcscUsage();
    reader::PcscTransport transport(pcsc::PcscLiteContext::establish(),
                                    reader::TransportKind::Pcsc);
    return runOperationOn(transport, wanted, options);
}

} // namespace

int pcscCommand(const Arguments& arguments) {
    if (arguments.empty() || hasFlag(arguments, "--help")) return pcscUsage();
    const bool asJson = hasFlag(arguments, "--json");
    try {
        return run(arguments);
    } catch (const pcsc::Error& error) {
        const json details{{"code", pcsc::responseCode(error.code())}};
        printFailure(error.code() == pcsc::ErrorCode::NoService
                         ? std::string(error.what()) + " (is pcscd running?)"
                         : error.what(),
                     asJson, std::cout, details);
        return error.code() == pcsc::ErrorCode::NoService ? exitNoService : 1;
    } catch (const Error& error) {
        return printFailure(error.what(), asJson, std::cout);
    }
}

#else

int pcscCommand(const Arguments&) {
    std::cerr << "pinctl pcsc: this build has no pcsc-lite (install libpcsclite-dev, rebuild)\n";
    return 1;
}

#endif

} // namespace kamusm::cli
