// pinctl sim: card operations against a virtual reader and card.
#include "card_operations.hpp"

#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <iostream>

namespace kamusm::cli {

namespace {

int simUsage() {
    std::cerr << "usage: pinctl sim <model> [--card t1|t0] [--fresh-card] <operation> [options]\n"
                 "models:";
    for (const sim::ReaderModelInfo& model : sim::readerModels())
        std::cerr << ' ' << model.id;
    std::cerr << "\n--card t0 uses the T=0 variant of the card; --fresh-card one without a PIN.\n"
              << operationUsage;
    return 2;
}

} // namespace

int simCommand(const Arguments& arguments) {
    if (arguments.empty() || hasFlag(arguments, "--help")) return simUsage();
    const std::optional<sim::ReaderModel> model = sim::readerModelById(arguments[0]);
    if (!model) {
        std::cerr << "pinctl sim: unknown reader model '" << arguments[0] << "'\n";
        return simUsage();
    }
    sim::CardProtocol protocol = sim::CardProtocol::T1;
    bool fresh = false;
    Arguments rest;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == "--card" && i + 1 < arguments.size()) {
            const std::string& variant = arguments[++i];
            if (variant != "t1" && variant != "t0") return simUsage();
            protocol = variant == "t0" ? sim::CardProtocol::T0 : sim::CardProtocol::T1;
        } else if (arguments[i] == "--fresh-card") {
            fresh = true;
        } else {
            rest.push_back(arguments[i]);
        }
    }
    OperationOptions options;
    if (!parseOperationOptions(rest, options)) return simUsage();

    sim::CardSetup setup = sim::demoCardSetup(protocol);
    if (fresh) setup.pin.reset();
    auto card = std::make_shared<sim::VirtualCard>(std::move(setup));
    sim::VirtualReader reader(*model, {card});
    return runCardOperation(reader, options, std::cout);
}

} // namespace kamusm::cli
