// The page side of the app (src/platform/web/bridge.cpp, web/app.js): what the browser offers,
// the accessible DOM mirror and window.kamusmPin.
#pragma once

#include "kamusm/reader/transport.hpp"
#include "kamusm/ui/screen.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace kamusm::platform::web {

// navigator.usb, navigator.smartCard and window.isSecureContext as the page sees them now.
wizard::EnvironmentReport probeEnvironment();

// The screen as JSON for the mirror (web/app.js renders it): every member of ui::Screen, with
// actions and fields by their ids. Secret fields carry their length, never their text.
std::string screenJson(const ui::Screen& screen);
// window.kamusmPin.state(): {"step": "<id>", "error": null | "<code>",
// "transport": null | "smartcard" | "helper" | "webusb" | "demo"}.
std::string stateJson(std::string_view step, std::optional<std::string_view> error,
                      std::optional<reader::TransportKind> transport);

// Hands the JSON to web/app.js, which updates #app-a11y / answers kamusmPin.state().
void publishScreen(const std::string& json);
void publishState(const std::string& json);
// performance.mark("kamusm-first-frame"), read by tests/browser/measure.mjs.
void markFirstFrame();
// The canvas's body text size in CSS pixels, as #app-a11y's data-text-px (kiosk tests).
void publishTextSize(float cssPixels);

} // namespace kamusm::platform::web
