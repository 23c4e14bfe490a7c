// The demo's virtual reader, from the app's side. The reader itself (the simulator's virtual
// reader and card behind a fake USBDevice, src/platform/web/demo_reader.*) is a module of its
// own, kamusm_demo.js + .wasm, that the page loads only when the backend is in demo mode: the
// production app carries no simulator. Its fake USBDevice goes through the same WebUSB bridge as
// a real reader.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/base/coroutine.hpp"
#include "kamusm/pcsc/context.hpp"

#include <string_view>

namespace kamusm::platform::web {

// Starts loading the demo module (the backend said it is in demo mode), so that it is there by
// the time the holder asks for the virtual card.
void preloadDemoModule();

// Enrols a fresh demo card at the backend (POST /demo/cards) in the PIN state `operation` starts
// from, puts it into a virtual reader of `model` ("acr39u", "connect2sign" …) and registers that
// reader in the page's WebUSB device table. Returns the device handle (for WebUsbDevice). Throws
// Error when the demo module cannot be loaded, the model is unknown or the backend is not in
// demo mode.
Task<int> createDemoReader(std::string_view model, backend::Operation operation,
                           pcsc::Protocol protocol = pcsc::Protocol::T1);

} // namespace kamusm::platform::web
