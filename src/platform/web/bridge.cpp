// The calls into the page's JavaScript; web/app.js defines the Module hooks they reach.
#include "kamusm/platform/web.hpp"

#include "kamusm/base/json.hpp"

#include "kamusm/platform/smartcard.hpp"

#include <emscripten/emscripten.h>

namespace kamusm::platform::web {

namespace {

using json::Value;

// clang-format off
EM_JS(int, kamusm_has_webusb, (), { return typeof navigator !== "undefined" && !!navigator.usb ? 1 : 0; });
EM_JS(int, kamusm_is_secure_context, (), { return self.isSecureContext ? 1 : 0; });
// The system and browser (wizard::System, wizard::Browser) from User-Agent Client Hints, which
// Chromium-based browsers have; the others are Browser::Other.
EM_JS(int, kamusm_page_system, (), {
    const hints = navigator.userAgentData;
    const platform = (hints && hints.platform) || navigator.platform || "";
    // Patterns in wizard::System's order (Windows, MacOs, Linux, ChromeOs, Android), tried with
    // Android and ChromeOS before Linux, whose platform strings they contain.
    const patterns = [/^win/i, /^mac/i, /linux/i, /chrome ?os|cros/i, /android/i];
    for (const system of [0, 1, 4, 3, 2]) {
        if (patterns[system].test(platform)) return system;
    }
    return /Android/.test(navigator.userAgent) ? 4 : 5;
});
EM_JS(int, kamusm_page_browser, (), {
    const brands = navigator.userAgentData ? navigator.userAgentData.brands.map((b) => b.brand) : [];
    if (brands.includes("Microsoft Edge")) return 1;
    if (brands.includes("Google Chrome")) return 0;
    if (brands.includes("Chromium")) return 2;
    return 3;
});
// An Isolated Web App's pages have their own scheme; a kiosk page says so (data-kiosk).
EM_JS(int, kamusm_page_deployment, (), {
    if (location.protocol === "isolated-app:") return 1;
    return Module.kamusmConfig && Module.kamusmConfig.kiosk ? 2 : 0;
});
EM_JS(void, kamusm_publish_screen, (const char* json), {
    if (Module.kamusmRenderScreen) Module.kamusmRenderScreen(JSON.parse(UTF8ToString(json)));
});
EM_JS(void, kamusm_publish_state, (const char* json), {
    if (Module.kamusmSetState) Module.kamusmSetState(JSON.parse(UTF8ToString(json)));
});
EM_JS(void, kamusm_mark_first_frame, (), { performance.mark("kamusm-first-frame"); });
EM_JS(void, kamusm_publish_text_size, (float pixels), {
    if (Module.kamusmTextSize) Module.kamusmTextSize(pixels);
});
// clang-format on

Value toJson(const std::vector<ui::Button>& buttons) {
    Value list = Value::array();
    for (const ui::Button& button : buttons)
        list.push(Value::object({{"action", static_cast<int>(button.action)},
                                 {"id", ui::actionId(button.action)},
                                 {"label", button.label},
                                 {"primary", button.primary},
                                 {"enabled", button.enabled},
                                 {"value", button.value}}));
    return list;
}

Value toJson(const std::vector<ui::Field>& fields) {
    Value list = Value::array();
    for (const ui::Field& field : fields) {
        Value item = Value::object({{"field", static_cast<int>(field.id)},
                                    {"id", ui::fieldId(field.id)},
                                    {"label", field.label},
                                    {"hint", field.hint},
                                    {"secret", field.secret},
                                    {"numeric", field.numeric},
                                    {"maxLength", field.maxLength},
                                    {"length", field.secret ? field.length : field.value.size()},
                                    {"shown", field.shown},
                                    {"active", field.active}});
        if (!field.secret) item.set("value", field.value);
        list.push(std::move(item));
    }
    return list;
}

Value toJson(const std::vector<std::string>& texts) {
    Value list = Value::array();
    for (const std::string& text : texts)
        list.push(text);
    return list;
}

} // namespace

wizard::EnvironmentReport probeEnvironment() {
    return {kamusm_has_webusb() != 0,
            kamusm_is_secure_context() != 0,
            smartCardSupported() || helperAnnounced(),
            static_cast<wizard::Deployment>(kamusm_page_deployment()),
            static_cast<wizard::System>(kamusm_page_system()),
            static_cast<wizard::Browser>(kamusm_page_browser())};
}

std::string screenJson(const ui::Screen& screen) {
    Value facts = Value::array();
    for (const ui::Fact& fact : screen.facts)
        facts.push(Value::object({{"label", fact.label}, {"value", fact.value}}));
    return Value::object({{"step", screen.stepId},
                          {"lang", screen.language},
                          {"title", screen.title},
                          {"paragraphs", toJson(screen.paragraphs)},
                          {"facts", facts},
                          {"fields", toJson(screen.fields)},
                          {"status", screen.status},
                          {"timer", screen.timer},
                          {"progress", screen.progress ? Value(*screen.progress) : Value()},
                          {"alert", screen.alert},
                          {"help", screen.help},
                          {"warning", screen.warning},
                          {"notes", toJson(screen.notes)},
                          {"buttons", toJson(screen.buttons)},
                          {"keypad", toJson(screen.keypad)}})
        .dump();
}

std::string stateJson(std::string_view step, std::optional<std::string_view> error,
                      std::optional<reader::TransportKind> transport) {
    return Value::object(
               {{"step", step},
                {"error", error ? Value(*error) : Value()},
                {"transport", transport ? Value(reader::transportId(*transport)) : Value()}})
        .dump();
}

void publishScreen(const std::string& json) {
    kamusm_publish_screen(json.c_str());
}
void publishState(const std::string& json) {
    kamusm_publish_state(json.c_str());
}
void markFirstFrame() {
    kamusm_mark_first_frame();
}
void publishTextSize(float cssPixels) {
    kamusm_publish_text_size(cssPixels);
}

} // namespace kamusm::platform::web
