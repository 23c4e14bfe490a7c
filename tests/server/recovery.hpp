// kill -9 at every write point: a server instance kills itself (KAMUSM_CRASH_AT) just before or
// just after the commit of each step's transaction (code issued and used, card checked, SMS
// sent, a wrong and a right confirmation, cryptogram, outcome). After each crash the state and
// the audit log agree, the step's retry gets its defined answer on the surviving instance, and
// the operation completes there.
#pragma once

#include "helpers.hpp"

#include <functional>
#include <map>
#include <memory>

namespace kamusm::test {

// Starts the instance that is to die, with `environment` added.
using StartInstance = std::function<std::unique_ptr<ServerProcess>(
    const std::map<std::string, std::string>& environment)>;
// The client the operation goes on with after a crash: a restarted instance, or another one on
// the same database.
using Survivor = std::function<backend::BackendClient&()>;

// `url`: the database all instances share (as for --database).
void crashAtEveryWritePoint(const StartInstance& start, const Survivor& survivor,
                            const std::string& url);

// Every run is the demo holder from one address: the limits lifted, as a list of flags.
std::vector<std::string> liftedLimits();

} // namespace kamusm::test
