// The in-browser demo reader: the simulator's virtual reader and card, compiled into the app and
// presented to the page as a fake USBDevice (src/platform/web/demo_reader.js), so that the demo
// goes through the same WebUSB bridge as a real reader.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/sim/card.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

#include <memory>
#include <string_view>

namespace kamusm::platform::web {

// Enrols a fresh demo card for the demo holder at the backend (POST /demo/cards), puts it into a
// virtual reader of `model` and registers that reader as a fake USBDevice in the page's device
// table. Returns the device handle (for WebUsbDevice). Throws backend::Error when the backend
// is not in demo mode.
Task<int> createDemoReader(backend::BackendClient& backend, sim::ReaderModel model,
                           sim::DemoPinState pinState,
                           sim::CardProtocol protocol = sim::CardProtocol::T1);

} // namespace kamusm::platform::web
