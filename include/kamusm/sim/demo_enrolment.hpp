// The demo's virtual card, enrolled at a demo backend for the demo holder: the one place the
// CLI, the in-browser demo reader and the vpcd card server get it from.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <memory>

namespace kamusm::sim {

// The PIN state an operation starts from: no PIN for create, the demo PIN 123456 for change,
// a PIN blocked by three wrong tries for unblock.
DemoPinState demoPinStateFor(backend::Operation operation);

// A fresh demo card whose signing certificate and key the backend issued (POST /demo/cards),
// in `state`. Throws backend::Error when the backend is not in demo mode.
Task<std::shared_ptr<VirtualCard>> enrolDemoCard(backend::BackendClient& backend,
                                                 DemoPinState state,
                                                 CardProtocol protocol = CardProtocol::T1);

} // namespace kamusm::sim
