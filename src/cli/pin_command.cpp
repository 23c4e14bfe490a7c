// pinctl create|change|unblock: a PIN operation end to end, headless, through the same wizard
// logic as the browser app: verification code → reader and card → new PIN → SMS code or web
// password → card work, against a running backend and a virtual or real reader.
#include "card_operations.hpp"

#include "kamusm/backend/httplib_client.hpp"
#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/sim/demo_enrolment.hpp"
#include "kamusm/sim/reader.hpp"
#include "kamusm/wizard/messages.hpp"
#include "kamusm/wizard/wizard.hpp"

#ifdef KAMUSM_HAVE_LIBUSB
#include "kamusm/usb/libusb_device.hpp"
#endif
#ifdef KAMUSM_HAVE_PCSCLITE
#include "kamusm/pcsc/pcsclite_context.hpp"
#include "kamusm/reader/pcsc_transport.hpp"
#endif

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

namespace kamusm::cli {

namespace {

const char* const pinUsage =
    "usage: pinctl <create|change|unblock> --server URL [--code CODE] [--demo]\n"
    "              (--sim MODEL [--card t1|t0] | --usb | --pcsc) [--reader NAME|INDEX]\n"
    "              [--lang tr|en] [--json]\n"
    "Standard input gives, one per line: the current PIN (change only), the new PIN, its repeat,\n"
    "then the SMS code or web password. With --demo the verification code (unless --code gives\n"
    "one) and the SMS code come from the demo backend; with --sim a virtual card is enrolled for\n"
    "the demo holder, with --usb and --pcsc the card in the reader is used as it is. --reader\n"
    "picks the reader (name, or index as 'pinctl pcsc list' shows it) when several hold a card.\n";

struct PinOptions {
    backend::Operation operation = backend::Operation::Change;
    std::string server, code, simModel, reader;
    sim::CardProtocol protocol = sim::CardProtocol::T1;
    bool demo = false, usb = false, pcsc = false, json = false;
    wizard::Language language = wizard::Language::English;
};

class SteadyClock : public wizard::Clock {
public:
    std::int64_t nowMilliseconds() override {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }
};

std::optional<PinOptions> parse(backend::Operation operation, const Arguments& arguments) {
    PinOptions options;
    options.operation = operation;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const bool hasValue = i + 1 < arguments.size();
        if (argument == "--demo")
            options.demo = true;
        else if (argument == "--usb")
            options.usb = true;
        else if (argument == "--pcsc")
            options.pcsc = true;
        else if (argument == "--json")
            options.json = true;
        else if (argument == "--server" && hasValue)
            options.server = arguments[++i];
        else if (argument == "--code" && hasValue)
            options.code = arguments[++i];
        else if (argument == "--sim" && hasValue)
            options.simModel = arguments[++i];
        else if (argument == "--reader" && hasValue)
            options.reader = arguments[++i];
        else if (argument == "--card" && hasValue)
            options.protocol =
                arguments[++i] == "t0" ? sim::CardProtocol::T0 : sim::CardProtocol::T1;
        else if (argument == "--lang" && hasValue)
            options.language =
                arguments[++i] == "tr" ? wizard::Language::Turkish : wizard::Language::English;
        else
            return std::nullopt;
    }
    const int transports = int{options.usb} + int{options.pcsc} + int{!options.simModel.empty()};
    const bool oneReader = transports == 1;
    const bool hasCode = options.demo || !options.code.empty();
    if (options.server.empty() || !oneReader || !hasCode) return std::nullopt;
    return options;
}

class Run {
public:
    Run(const PinOptions& options, backend::BackendClient& client, reader::Owner& readers,
        wizard::Wizard& flow)
        : options_(options), client_(client), readers_(readers), flow_(flow) {}

    // Each stage's event, then the step it must reach; false with the error printed otherwise.
    bool expect(wizard::Step step) {
        const wizard::WizardState& state = flow_.state();
        if (!options_.json) std::cout << "step: " << wizard::stepId(state.step) << '\n';
        if (state.step == step && !state.error) return true;
        failure_ = state.error ? std::string(flow_.errorCode())
                               : "stopped at " + std::string(wizard::stepId(state.step));
        if (state.error == wizard::WizardError::PinPolicy && state.pinProblem)
            message_ = wizard::message(*state.pinProblem, options_.language);
        else if (state.error)
            message_ = wizard::message(*state.error, options_.language);
        return false;
    }

    bool run() {
        flow_.environmentChecked({true, true, true});
        std::string code = options_.code;
        if (code.empty())
            code = runSync(
                       client_.demoVerificationCode(std::string(sim::demoTckn), options_.operation))
                       .code;
        runSync(flow_.submitCode(code));
        if (!expect(wizard::Step::Reader)) return false;
        runSync(flow_.findCard());
        if (!chooseCard() || !expect(wizard::Step::Card)) return false;
        printCard();
        flow_.cardConfirmed();
        if (!expect(wizard::Step::NewPin)) return false;
        card::Pin current = flow_.state().needsCurrentPin ? readPin("Current PIN: ") : card::Pin();
        card::Pin next = readPin("New PIN: ");
        card::Pin repeat = readPin("New PIN again: ");
        runSync(flow_.submitNewPin(std::move(current), std::move(next), std::move(repeat)));
        if (!expect(wizard::Step::Confirm)) return false;
        runSync(flow_.submitConfirmation(confirmation()));
        return expect(wizard::Step::Done);
    }

    int report() const {
        const bool done = failure_.empty();
        if (options_.json) {
            nlohmann::ordered_json result{{"ok", done},
                                          {"step", wizard::stepId(flow_.state().step)}};
            if (!done) result["error"] = failure_, result["message"] = message_;
            std::cout << result.dump() << '\n';
        } else if (done) {
            std::cout << wizard::successText(options_.operation, options_.language) << '\n';
            for (std::string_view warning : wizard::pinWarnings(options_.language))
                std::cout << "- " << warning << '\n';
        } else {
            std::cout << "error: " << failure_ << (message_.empty() ? "" : ": " + message_) << '\n';
        }
        return done ? 0 : 1;
    }

private:
    // The card in --reader (a name, or an index into the readers' list) when one is named; with
    // several KamuSM cards one must be.
    bool chooseCard() {
        const wizard::WizardState& state = flow_.state();
        std::optional<std::string> wanted;
        if (!options_.reader.empty()) {
            wanted = pickPcscReader(readers_.slots(), options_.reader);
            if (!wanted) return refuse("unknown_reader", "no reader " + options_.reader);
            if (!holdsCard(*wanted))
                return refuse("no_card", std::string(wizard::message(wizard::WizardError::NoCard,
                                                                     options_.language)));
        }
        if (state.cardChoices.empty()) {
            if (wanted && state.card && state.card->slot != *wanted)
                return refuse("other_reader", "the KamuSM card is in " + state.card->slot);
            return true;
        }
        for (std::size_t i = 0; wanted && i < state.cardChoices.size(); ++i) {
            if (state.cardChoices[i].slot != *wanted) continue;
            runSync(flow_.chooseCard(i));
            return true;
        }
        return refuse("several_cards", "several KamuSM cards: pick one with --reader NAME|INDEX");
    }

    bool holdsCard(const std::string& slot) const {
        for (const reader::Slot& candidate : readers_.slots())
            if (candidate.name == slot) return candidate.cardPresent;
        return false;
    }

    bool refuse(std::string failure, std::string message) {
        failure_ = std::move(failure);
        message_ = std::move(message);
        return false;
    }

    // The SMS code (from the demo outbox, or typed) or the web password.
    std::string confirmation() {
        const wizard::WizardState& state = flow_.state();
        if (state.confirmation == backend::Confirmation::Sms && !state.smsSent)
            runSync(flow_.requestSms());
        if (options_.demo && state.confirmation == backend::Confirmation::Sms) {
            const auto outbox = runSync(client_.demoOutbox());
            return outbox.empty() ? std::string() : outbox.back().code;
        }
        card::Pin typed = readPin(
            state.confirmation == backend::Confirmation::Sms ? "SMS code: " : "Web password: ");
        return std::string(typed.bytes().begin(), typed.bytes().end());
    }

    void printCard() const {
        if (options_.json || !flow_.state().card) return;
        const wizard::CardSummary& card = *flow_.state().card;
        std::cout << "card: " << card.serial << ", " << card.holderName << " (" << card.tcknMasked
                  << "), issued by " << card.issuer << ", valid to " << card.notAfter << '\n';
    }

    const PinOptions& options_;
    backend::BackendClient& client_;
    reader::Owner& readers_;
    wizard::Wizard& flow_;
    std::string failure_, message_;
};

// The readers the options name: the virtual one with an enrolled demo card, or the real ones.
std::unique_ptr<reader::Transport> openTransport(const PinOptions& options,
                                                 backend::BackendClient& client) {
    if (options.pcsc) {
#ifdef KAMUSM_HAVE_PCSCLITE
        return std::make_unique<reader::PcscTransport>(pcsc::PcscLiteContext::establish(),
                                                       reader::TransportKind::Pcsc);
#else
        std::cerr << "pinctl: this build has no pcsc-lite\n";
        return nullptr;
#endif
    }
    if (options.usb) {
#ifdef KAMUSM_HAVE_LIBUSB
        auto usb = std::make_unique<reader::CcidTransport>(reader::TransportKind::Usb);
        static usb::LibusbContext context; // outlives the devices the transport holds
        for (auto& device : findReaders(context))
            usb->addDevice(std::move(device));
        return usb;
#else
        std::cerr << "pinctl: this build has no libusb\n";
        return nullptr;
#endif
    }
    const std::optional<sim::ReaderModel> model = sim::readerModelById(options.simModel);
    if (!model) {
        std::cerr << "pinctl: unknown reader model '" << options.simModel << "'\n";
        return nullptr;
    }
    if (!options.demo) {
        std::cerr << "pinctl: a virtual card is only enrolled at a demo backend (--demo)\n";
        return nullptr;
    }
    auto card = runSync(
        sim::enrolDemoCard(client, sim::demoPinStateFor(options.operation), options.protocol));
    auto virtualReader = std::make_unique<sim::VirtualReader>(
        *model, std::vector<std::shared_ptr<sim::VirtualCard>>{std::move(card)});
    auto transport = std::make_unique<reader::CcidTransport>(reader::TransportKind::Sim);
    transport->addDevice(std::move(virtualReader));
    return transport;
}

int runPinOperation(backend::Operation operation, const Arguments& arguments) {
    const std::optional<PinOptions> options = parse(operation, arguments);
    if (!options || hasFlag(arguments, "--help")) {
        std::cerr << pinUsage;
        return 2;
    }
    backend::HttplibClient http(options->server);
    backend::BackendClient client(http);
    std::unique_ptr<reader::Transport> transport = openTransport(*options, client);
    if (!transport) return 2;
    SteadyClock clock;
    reader::Owner readers;
    runSync(readers.use(std::move(transport)));
    wizard::Wizard flow(client, clock, readers);
    Run run(*options, client, readers, flow);
    run.run();
    runSync(readers.close());
    return run.report();
}

} // namespace

int createCommand(const Arguments& arguments) {
    return runPinOperation(backend::Operation::Create, arguments);
}
int changeCommand(const Arguments& arguments) {
    return runPinOperation(backend::Operation::Change, arguments);
}
int unblockCommand(const Arguments& arguments) {
    return runPinOperation(backend::Operation::Unblock, arguments);
}

} // namespace kamusm::cli
