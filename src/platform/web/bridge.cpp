// The calls into the page's JavaScript; web/app.js defines the Module hooks they reach.
#include "kamusm/platform/web.hpp"

#include "kamusm/platform/smartcard.hpp"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

namespace kamusm::platform::web {

namespace {

// clang-format off
EM_JS(int, kamusm_has_webusb, (), { return typeof navigator !== "undefined" && !!navigator.usb ? 1 : 0; });
EM_JS(int, kamusm_is_secure_context, (), { return self.isSecureContext ? 1 : 0; });
EM_JS(void, kamusm_publish_screen, (const char* json), {
    if (Module.kamusmRenderScreen) Module.kamusmRenderScreen(JSON.parse(UTF8ToString(json)));
});
EM_JS(void, kamusm_publish_state, (const char* json), {
    if (Module.kamusmSetState) Module.kamusmSetState(JSON.parse(UTF8ToString(json)));
});
EM_JS(void, kamusm_mark_first_frame, (), { performance.mark("kamusm-first-frame"); });
// clang-format on

nlohmann::json toJson(const std::vector<ui::Button>& buttons) {
    nlohmann::json list = nlohmann::json::array();
    for (const ui::Button& button : buttons)
        list.push_back({{"action", static_cast<int>(button.action)},
                        {"id", ui::actionId(button.action)},
                        {"label", button.label},
                        {"primary", button.primary},
                        {"enabled", button.enabled},
                        {"value", button.value}});
    return list;
}

nlohmann::json toJson(const std::vector<ui::Field>& fields) {
    nlohmann::json list = nlohmann::json::array();
    for (const ui::Field& field : fields) {
        nlohmann::json item{{"field", static_cast<int>(field.id)},
                            {"id", ui::fieldId(field.id)},
                            {"label", field.label},
                            {"hint", field.hint},
                            {"secret", field.secret},
                            {"numeric", field.numeric},
                            {"maxLength", field.maxLength},
                            {"length", field.secret ? field.length : field.value.size()},
                            {"shown", field.shown},
                            {"active", field.active}};
        if (!field.secret) item["value"] = field.value;
        list.push_back(std::move(item));
    }
    return list;
}

} // namespace

wizard::EnvironmentReport probeEnvironment() {
    return {kamusm_has_webusb() != 0, kamusm_is_secure_context() != 0,
            smartCardSupported() || helperAnnounced()};
}

std::string screenJson(const ui::Screen& screen) {
    nlohmann::json facts = nlohmann::json::array();
    for (const ui::Fact& fact : screen.facts)
        facts.push_back({{"label", fact.label}, {"value", fact.value}});
    nlohmann::json json{{"step", screen.stepId},
                        {"lang", screen.language},
                        {"title", screen.title},
                        {"paragraphs", screen.paragraphs},
                        {"facts", facts},
                        {"fields", toJson(screen.fields)},
                        {"status", screen.status},
                        {"timer", screen.timer},
                        {"progress", nullptr},
                        {"alert", screen.alert},
                        {"warning", screen.warning},
                        {"notes", screen.notes},
                        {"buttons", toJson(screen.buttons)},
                        {"keypad", toJson(screen.keypad)}};
    if (screen.progress) json["progress"] = *screen.progress;
    return json.dump();
}

std::string stateJson(std::string_view step, std::optional<std::string_view> error,
                      std::optional<reader::TransportKind> transport) {
    nlohmann::json state{{"step", step}, {"error", nullptr}, {"transport", nullptr}};
    if (error) state["error"] = *error;
    if (transport) state["transport"] = reader::transportId(*transport);
    return state.dump();
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

} // namespace kamusm::platform::web
