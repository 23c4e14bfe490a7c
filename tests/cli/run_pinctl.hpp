// Runs the built pinctl as a process, as scripts and people do, capturing standard output.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace kamusm::testing {

struct Run {
    std::string out;
    int exitCode = -1;
};

// `arguments` are already shell-quoted; `input` goes to pinctl's standard input.
inline Run pinctl(const std::string& arguments, const std::string& input = "") {
    const std::string command = "printf '%s' '" + input + "' | " + std::string(KAMUSM_PINCTL) +
                                " " + arguments + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    Run run;
    std::array<char, 4096> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
        run.out.append(buffer.data(), n);
    const int status = pclose(pipe);
    REQUIRE(WIFEXITED(status));
    run.exitCode = WEXITSTATUS(status);
    return run;
}

} // namespace kamusm::testing
