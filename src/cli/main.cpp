// pinctl: the project's command-line tool. Decodes ATRs and CCID descriptors, runs card
// operations against the simulator or a real reader, and benchmarks the stack.
#include "commands.hpp"

#include "kamusm/base/memory_scan.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string_view>

namespace kamusm::cli {

bool hasFlag(const Arguments& arguments, const std::string& flag) {
    return std::find(arguments.begin(), arguments.end(), flag) != arguments.end();
}

DecodeInput parseDecodeInput(const Arguments& arguments, const char* what) {
    DecodeInput input;
    input.json = hasFlag(arguments, "--json");
    for (const std::string& argument : arguments) {
        if (argument == "--json") continue;
        if (argument.starts_with("--")) {
            input.error = "unknown option " + argument;
            return input;
        }
        input.hex += argument + ' ';
    }
    if (input.hex.empty()) input.error = std::string("no ") + what + " given";
    return input;
}

int reportInvalid(const char* command, const std::string& error, bool json) {
    if (json)
        std::cout << nlohmann::ordered_json{{"valid", false}, {"error", error}}.dump() << '\n';
    else
        std::fprintf(stderr, "pinctl %s: %s\n", command, error.c_str());
    return 2;
}

namespace {

struct Command {
    std::string_view name;
    int (*run)(const Arguments&);
    std::string_view usage;
};

constexpr Command commands[] = {
    {"atr", atrCommand, "atr <hex> [--json]                 decode an Answer-to-Reset"},
    {"ccid-descriptor", ccidDescriptorCommand,
     "ccid-descriptor <hex> [--json]     decode a 54-byte CCID class descriptor"},
    {"sim", simCommand,
     "sim <model> <operation> [...]      run a card operation on a virtual reader"},
    {"usb", usbCommand, "usb <operation> [...]              run a card operation on a real reader"},
    {"pcsc", pcscCommand,
     "pcsc list | pcsc <operation> [...] list the PC/SC readers, or run a card operation on one"},
    {"create", createCommand,
     "create --server URL ...             create the PIN of a card without one"},
    {"change", changeCommand, "change --server URL ...             change a known PIN"},
    {"unblock", unblockCommand,
     "unblock --server URL ...            set a new PIN on a blocked card"},
    {"doctor", doctorCommand,
     "doctor [--json]                    which readers work here, and how (page, IWA, helper)"},
    {"campaign", campaignCommand,
     "campaign --runs N --seed S [...]   fault campaign over every PIN operation"},
    {"bench", benchCommand,
     "bench [--model M]                  measure the stack on the simulator"},
};

int usage() {
    std::fputs("usage: pinctl <command> [arguments]\n\ncommands:\n", stderr);
    for (const Command& command : commands)
        std::fprintf(stderr, "  %s\n", command.usage.data());
    std::fputs("\n'pinctl <command> --help' describes a command.\n", stderr);
    return 2;
}

} // namespace
} // namespace kamusm::cli

int main(int argc, char** argv) {
    using namespace kamusm::cli;
    if (argc < 2) return usage();
    const std::string_view name = argv[1];
    Arguments arguments(argv + 2, argv + argc);
    for (const Command& command : commands) {
        if (command.name != name) continue;
        int code = 1;
        try {
            code = command.run(arguments);
        } catch (const std::exception& failure) {
            std::fprintf(stderr, "pinctl %s: %s\n", argv[1], failure.what());
        }
        // The tests' look for PINs left in memory, once everything of the command has gone.
        kamusm::scanMemoryIfAsked("after pinctl " + std::string(name));
        return code;
    }
    return usage();
}
