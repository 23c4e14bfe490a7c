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
int benchCommand(const Arguments& arguments);

bool hasFlag(const Arguments& arguments, const std::string& flag);

} // namespace kamusm::cli
