#include "commands.hpp"

#include <stdexcept>

namespace kamusm::cli {

int atrCommand(const Arguments&) { throw std::runtime_error("not built yet"); }

} // namespace kamusm::cli
