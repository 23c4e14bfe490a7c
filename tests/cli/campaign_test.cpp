// pinctl campaign as a process: the closing line and exit code of interfaces.md, the same runs
// for the same seed, one run replayed alone, bad options refused.
#include "cli/run_pinctl.hpp"

#include <doctest/doctest.h>

#include <regex>

using kamusm::testing::pinctl;

namespace {

std::string lastLine(const std::string& text) {
    const std::size_t end = text.find_last_not_of('\n');
    const std::size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

} // namespace

TEST_CASE("a short campaign keeps every invariant, and the same seed gives the same runs") {
    const auto first = pinctl("campaign --runs 24 --seed 7");
    CAPTURE(first.out);
    CHECK(first.exitCode == 0);
    const std::regex closing(
        R"(campaign: 24 runs, [1-9][0-9]* faults injected, 0 invariant violations)");
    CHECK(std::regex_match(lastLine(first.out), closing));
    const auto again = pinctl("campaign --runs 24 --seed 7");
    CHECK(again.out == first.out);
    const auto other = pinctl("campaign --runs 24 --seed 8");
    CHECK(other.out != first.out);
}

TEST_CASE("the filters narrow the runs down") {
    const auto run = pinctl("campaign --runs 12 --seed 3 --transport pcsc --op unblock --card t0");
    CAPTURE(run.out);
    CHECK(run.exitCode == 0);
    CHECK(run.out.find("usb-stall") == std::string::npos); // no CCID faults over PC/SC
    CHECK(lastLine(run.out).starts_with("campaign: 12 runs, "));
}

TEST_CASE("a run replays alone and tells what happened") {
    const auto run = pinctl("campaign --seed 7 --run 5");
    CAPTURE(run.out);
    CHECK(run.exitCode == 0);
    CHECK(run.out.find("run 5 of seed 7: ") != std::string::npos);
    CHECK(run.out.find("\nfault: ") != std::string::npos);
    CHECK(run.out.find("\nending: ") != std::string::npos);
    CHECK(lastLine(run.out).starts_with("campaign: 1 runs, "));
}

TEST_CASE("bad options are refused") {
    CHECK(pinctl("campaign --runs 5").exitCode == 2); // no seed
    CHECK(pinctl("campaign --seed 5").exitCode == 2); // no runs
    CHECK(pinctl("campaign --runs x --seed 5").exitCode == 2);
    CHECK(pinctl("campaign --runs 5 --seed 5 --model nope").exitCode == 2);
    CHECK(pinctl("campaign --runs 5 --seed 5 --op").exitCode == 2);
    CHECK(pinctl("campaign --runs 5 --seed 5 --verbose 1").exitCode == 2);
}
