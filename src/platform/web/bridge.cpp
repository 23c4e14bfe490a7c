// The calls into the page's JavaScript; web/app.js defines the Module hooks they reach.
#include "kamusm/platform/web.hpp"

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

constexpr const char* actionIds[] = {"switch_language", "check_again"};

} // namespace

wizard::EnvironmentReport probeEnvironment() {
    return {kamusm_has_webusb() != 0, kamusm_is_secure_context() != 0};
}

std::string screenJson(const ui::Screen& screen) {
    nlohmann::json buttons = nlohmann::json::array();
    for (const ui::Button& button : screen.buttons)
        buttons.push_back({{"action", static_cast<int>(button.action)},
                           {"id", actionIds[static_cast<int>(button.action)]},
                           {"label", button.label},
                           {"primary", button.primary}});
    return nlohmann::json{{"step", screen.stepId}, {"lang", screen.language},
                          {"title", screen.title}, {"paragraphs", screen.paragraphs},
                          {"alert", screen.alert}, {"buttons", buttons}}
        .dump();
}

std::string stateJson(std::string_view step, std::optional<std::string_view> error) {
    nlohmann::json state{{"step", step}, {"error", nullptr}};
    if (error) state["error"] = *error;
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
