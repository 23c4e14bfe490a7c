#include "options.hpp"

#include <charconv>
#include <iostream>

namespace kamusm::cli::campaign {

const char* const usage =
    "usage: pinctl campaign --runs N --seed S [--model M|all] [--card t1|t0|all]\n"
    "                       [--transport ccid|pcsc|all] [--op create|change|unblock|all]\n"
    "       pinctl campaign --seed S --run I [the same filters]\n"
    "Runs N PIN operations end to end (wizard, virtual card and reader, a kamusm-server process\n"
    "next to pinctl) with faults at random positions, and checks the invariants after each.\n"
    "Ends with 'campaign: N runs, F faults injected, V invariant violations'; exits 1 when V > 0.\n"
    "--run I replays run I of the seed alone and tells what happened in it.\n";

namespace {

std::optional<std::uint64_t> number(const std::string& text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A filter's choice, or every value with "all".
template <typename T>
bool choose(const std::string& given, const std::vector<std::pair<std::string_view, T>>& values,
            std::vector<T>& into) {
    into.clear();
    for (const auto& [name, value] : values)
        if (given == "all" || given == name) into.push_back(value);
    return !into.empty();
}

const std::vector<std::pair<std::string_view, sim::CardProtocol>> protocols{
    {"t1", sim::CardProtocol::T1}, {"t0", sim::CardProtocol::T0}};
const std::vector<std::pair<std::string_view, Transport>> transports{{"ccid", Transport::Ccid},
                                                                     {"pcsc", Transport::Pcsc}};
const std::vector<std::pair<std::string_view, backend::Operation>> operations{
    {"create", backend::Operation::Create},
    {"change", backend::Operation::Change},
    {"unblock", backend::Operation::Unblock}};

std::vector<std::pair<std::string_view, sim::ReaderModel>> models() {
    std::vector<std::pair<std::string_view, sim::ReaderModel>> all;
    for (const sim::ReaderModelInfo& info : sim::readerModels())
        all.emplace_back(info.id, info.model);
    return all;
}

std::nullopt_t refuse(const std::string& why) {
    std::cerr << "pinctl campaign: " << why << "\n" << usage;
    return std::nullopt;
}

} // namespace

std::optional<Options> parseOptions(const Arguments& arguments) {
    Options options;
    std::optional<std::uint64_t> runs, seed;
    choose("all", models(), options.filters.models);
    choose("all", protocols, options.filters.protocols);
    choose("all", transports, options.filters.transports);
    choose("all", operations, options.filters.operations);
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& flag = arguments[i];
        if (i + 1 == arguments.size()) return refuse(flag + " needs a value");
        const std::string& value = arguments[++i];
        bool ok = true;
        if (flag == "--runs")
            ok = (runs = number(value)).has_value();
        else if (flag == "--seed")
            ok = (seed = number(value)).has_value();
        else if (flag == "--run")
            ok = (options.only = number(value)).has_value();
        else if (flag == "--model")
            ok = choose(value, models(), options.filters.models);
        else if (flag == "--card")
            ok = choose(value, protocols, options.filters.protocols);
        else if (flag == "--transport")
            ok = choose(value, transports, options.filters.transports);
        else if (flag == "--op")
            ok = choose(value, operations, options.filters.operations);
        else
            return refuse("unknown option " + flag);
        if (!ok) return refuse("bad value '" + value + "' for " + flag);
        if (flag != "--runs" && flag != "--seed" && flag != "--run")
            options.filterArguments += " " + flag + " " + value;
    }
    if (!seed) return refuse("--seed is needed: the same seed gives the same runs");
    if (!runs && !options.only) return refuse("--runs (or --run) is needed");
    options.seed = *seed;
    options.runs = runs.value_or(1);
    return options;
}

} // namespace kamusm::cli::campaign
