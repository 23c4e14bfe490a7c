// The demo module's C++ half on the app's side: a virtual reader asked of the demo module
// (demo_module.js loads it) and registered as a WebUSB device.
#include "kamusm/platform/demo_module.hpp"

#include "kamusm/base/error.hpp"
#include "kamusm/platform/promise.hpp"

#include <string>

extern "C" {
void kamusm_demo_module_preload();
void kamusm_demo_reader_create(int id, const char* model, const char* operation,
                               const char* protocol);
}

namespace kamusm::platform::web {

void preloadDemoModule() {
    kamusm_demo_module_preload();
}

Task<int> createDemoReader(std::string_view model, backend::Operation operation,
                           pcsc::Protocol protocol) {
    const std::string modelId(model);
    const std::string operationName(backend::wireName(operation));
    const char* protocolId = protocol == pcsc::Protocol::T0 ? "t0" : "t1";
    const PromiseOutcome outcome = co_await JsPromise([&](int id) {
        kamusm_demo_reader_create(id, modelId.c_str(), operationName.c_str(), protocolId);
    });
    if (outcome.kind != PromiseOutcome::Kind::Resolved)
        throw Error("the demo reader could not be created: " + outcome.text);
    co_return outcome.number;
}

} // namespace kamusm::platform::web
