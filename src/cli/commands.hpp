// pinctl's commands: each takes the arguments after its name and returns the exit code
// (0 success, 1 operation failed, 2 bad input).
#pragma once

#include <string>
#include <vector>

namespace kamusm::cli {

using Arguments = std::vector<std::string>;

int atrCommand(const Arguments& arguments);
int ccidDescriptorCommand(const Arguments& arguments);
int simCommand(const Arguments& arguments);
int usbCommand(const Arguments& arguments);
// pcsc list|wait | pcsc [--reader NAME|INDEX] <operation>: the PC/SC service (pcsc_command.cpp).
int pcscCommand(const Arguments& arguments);
int benchCommand(const Arguments& arguments);
// doctor [--json]: the readers and what each deployment could do with them (doctor_command.cpp).
int doctorCommand(const Arguments& arguments);
// create, change, unblock: the PIN operations against a backend (pin_command.cpp).
int createCommand(const Arguments& arguments);
int changeCommand(const Arguments& arguments);
int unblockCommand(const Arguments& arguments);
// campaign: the fault campaign over the whole PIN flow (campaign/command.cpp).
int campaignCommand(const Arguments& arguments);

bool hasFlag(const Arguments& arguments, const std::string& flag);

// The input of a decoding command (`atr`, `ccid-descriptor`): hex words and an optional --json.
struct DecodeInput {
    bool json = false;
    std::string hex;   // the words joined
    std::string error; // unknown option or no input; empty when the input is usable
};
DecodeInput parseDecodeInput(const Arguments& arguments, const char* what);

// Prints the error (as {"valid": false, "error": ...} with --json) and returns exit code 2.
int reportInvalid(const char* command, const std::string& error, bool json);

} // namespace kamusm::cli
