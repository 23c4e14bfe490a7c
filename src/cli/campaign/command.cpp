// pinctl campaign: N runs drawn from a seed, each checked against the invariants; the closing
// line and exit code are those of shared/spec/interfaces.md.
#include "options.hpp"
#include "runner.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

namespace kamusm::cli {

namespace {

using namespace campaign;

// The server logs every request; the campaign keeps only the latest stretch of it.
constexpr std::uint64_t logStretch = 1000;
constexpr std::uint64_t progressEvery = 5000;

struct Tally {
    std::uint64_t runs = 0, faults = 0, violations = 0;
    std::map<Ending, std::uint64_t> endings;
    std::map<Fault, std::uint64_t> faultsFired;

    void add(const RunResult& result) {
        ++runs;
        faults += result.fired.size();
        violations += result.violations.size();
        ++endings[result.ending];
        for (Fault fault : result.fired)
            ++faultsFired[fault];
    }
};

void printTally(const Tally& tally) {
    std::cout << "endings:";
    for (const auto& [ending, count] : tally.endings)
        std::cout << ' ' << endingId(ending) << ' ' << count;
    std::cout << "\nfaults:";
    for (const auto& [fault, count] : tally.faultsFired)
        std::cout << ' ' << infoOf(fault).id << ' ' << count;
    std::cout << "\ncampaign: " << tally.runs << " runs, " << tally.faults << " faults injected, "
              << tally.violations << " invariant violations\n";
}

void printPlan(const RunPlan& plan, std::uint64_t run, std::uint64_t seed) {
    std::cout << "run " << run << " of seed " << seed << ": " << describe(plan.config)
              << ", new PIN of " << plan.newPin.size() << " digits\n";
    constexpr const char* channels[] = {"reader event", "backend request", "holder action"};
    for (const PlannedFault& planned : plan.faults)
        std::cout << "fault: " << infoOf(planned.fault).id << " at "
                  << channels[static_cast<int>(infoOf(planned.fault).channel)] << ' '
                  << planned.position << " (variant " << planned.variant << ")\n";
}

} // namespace

int campaignCommand(const Arguments& arguments) {
    if (hasFlag(arguments, "--help")) {
        std::cerr << campaign::usage;
        return 2;
    }
    const std::optional<Options> options = parseOptions(arguments);
    if (!options) return 2;
    Runner runner(serverBesidePinctl());
    const Planner planner(options->seed, options->filters);
    Tally tally;
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t first = options->only.value_or(0);
    const std::uint64_t end = options->only ? first + 1 : options->runs;
    for (std::uint64_t run = first; run < end; ++run) {
        const RunPlan plan = planner.plan(run, runner.sizeOf(planner.config(run)));
        if (options->only) printPlan(plan, run, options->seed);
        FaultSchedule schedule(plan.faults);
        const RunResult result = runner.run(plan, schedule);
        tally.add(result);
        for (const std::string& violation : result.violations)
            std::cout << "violation: run " << run << ": " << violation
                      << " (replay: pinctl campaign --seed " << options->seed << " --run " << run
                      << options->filterArguments << ")\n";
        if (options->only) std::cout << "ending: " << endingId(result.ending) << '\n';
        if ((run + 1) % logStretch == 0)
            std::filesystem::resize_file(runner.server().dataDir() / "server.log", 0);
        if ((run + 1) % progressEvery == 0)
            std::cerr << "campaign: " + std::to_string(run + 1) + " runs so far, " +
                             std::to_string(tally.violations) + " violations\n";
    }
    for (const std::string& violation : runner.cleanViolations()) {
        std::cout << "violation: " << violation << '\n';
        ++tally.violations;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // On stderr (stdout stays the same for a seed), in one write and before the tally: each `<<`
    // to std::cerr flushes std::cout first, which split the line in a log that has both.
    std::ostringstream timing;
    timing << "campaign: seed " << options->seed << ", " << tally.runs << " runs in " << seconds
           << " s (" << static_cast<double>(tally.runs) / seconds << " runs/s), "
           << runner.server().restarts() << " server restarts\n";
    std::cerr << timing.str();
    printTally(tally);
    return tally.violations == 0 ? 0 : 1;
}

} // namespace kamusm::cli
