// The browser entry point: the page's #canvas drawn with WebGL2 at the device pixel ratio
// (canvas.hpp), one frame per animation frame, the screen mirrored into #app-a11y, and the
// functions web/app.js calls for the mirror and the page.
#include "kamusm/platform/canvas.hpp"
#include "kamusm/platform/runtime.hpp"
#include "kamusm/platform/web.hpp"
#include "kamusm/ui/theme.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace kamusm;

namespace {

constexpr const char* canvasSelector = "#canvas";
// The large-type option (kiosks) draws everything this much bigger.
constexpr float largeTextFactor = 1.4f;

// What tests/browser/measure.mjs reads of a flow (kamusm_take_stats): the frames drawn, the
// time they took in the app (the wizard's update, ImGui, the WebGL calls) and the heap's
// high-water mark, sampled once a frame. Collected only once measuring has been asked for: the
// sample walks the heap.
struct FrameStats {
    bool measuring = false;
    int frames = 0;
    double renderMs = 0.0;
    double slowestMs = 0.0;
    std::size_t heapPeak = 0; // bytes malloc'd at the fullest frame
};

struct Page {
    std::unique_ptr<platform::web::Runtime> runtime;
    ui::Fonts fonts;
    float scale = 0.0f;        // pixels per CSS pixel the fonts and style were built for
    std::string screen, state; // what the page last received
    bool firstFrame = true;
    FrameStats stats;
};

std::unique_ptr<Page> page;

// ImGui works in canvas pixels (canvas.hpp), so the canvas gets CSS size ×
// devicePixelRatio pixels and everything is drawn `scale` times larger: crisp on HiDPI screens.
void fitCanvas(Page& r) {
    double cssWidth = 0, cssHeight = 0;
    emscripten_get_element_css_size(canvasSelector, &cssWidth, &cssHeight);
    const double ratio = emscripten_get_device_pixel_ratio();
    const int width = std::max(1, static_cast<int>(std::lround(cssWidth * ratio)));
    const int height = std::max(1, static_cast<int>(std::lround(cssHeight * ratio)));
    int current[2] = {0, 0};
    platform::web::canvasSize(current[0], current[1]);
    if (current[0] != width || current[1] != height) platform::web::setCanvasSize(width, height);
    const bool large = r.runtime->app().largeText();
    const auto scale = static_cast<float>(ratio) * (large ? largeTextFactor : 1.0f);
    if (scale == r.scale) return;
    r.scale = scale;
    platform::web::publishTextSize(ui::bodyPixels * (large ? largeTextFactor : 1.0f));
    r.fonts = ui::loadFonts(scale);
    ui::applyTheme(scale);
    // Before the first frame the renderer has no texture yet: its first NewFrame makes it from
    // this atlas, so it is uploaded once.
    if (r.firstFrame) return;
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

// The mirror and kamusmPin.state() change only when the screen does.
void publish(Page& r) {
    const ui::App& app = r.runtime->app();
    std::string screenJson = platform::web::screenJson(app.screen());
    if (screenJson != r.screen) platform::web::publishScreen(r.screen = std::move(screenJson));
    std::string stateJson =
        platform::web::stateJson(app.stepId(), app.errorId(), r.runtime->transport());
    if (stateJson != r.state) platform::web::publishState(r.state = std::move(stateJson));
}

void count(FrameStats& stats, double startMs) {
    if (!stats.measuring) return;
    const double elapsed = emscripten_get_now() - startMs;
    ++stats.frames;
    stats.renderMs += elapsed;
    stats.slowestMs = std::max(stats.slowestMs, elapsed);
    stats.heapPeak = std::max(stats.heapPeak, static_cast<std::size_t>(mallinfo().uordblks));
}

EM_BOOL frame(double, void*) {
    Page& r = *page;
    const double start = emscripten_get_now();
    r.runtime->update();
    fitCanvas(r);
    ImGui_ImplOpenGL3_NewFrame();
    platform::web::canvasNewFrame();
    ImGui::NewFrame();
    r.runtime->app().draw(r.fonts, r.scale);
    ImGui::Render();
    int width = 0, height = 0;
    platform::web::canvasSize(width, height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    publish(r);
    if (r.firstFrame) platform::web::markFirstFrame();
    r.firstFrame = false;
    count(r.stats, start);
    return EM_TRUE; // and the next animation frame
}

} // namespace

// The mirror's controls do what the canvas's do (web/app.js). Text comes in as UTF-8 that the
// caller wipes after the call.
extern "C" {

EMSCRIPTEN_KEEPALIVE void kamusm_a11y_press(int action, int value) {
    if (!page || action < 0 || action >= ui::actionCount) return;
    page->runtime->app().press(static_cast<ui::Action>(action), value);
    publish(*page);
}

EMSCRIPTEN_KEEPALIVE void kamusm_a11y_input(int field, const char* text) {
    if (!page || field < 0 || field >= ui::fieldCount || !text) return;
    page->runtime->app().setField(static_cast<ui::FieldId>(field), text);
    publish(*page);
}

EMSCRIPTEN_KEEPALIVE void kamusm_a11y_focus(int field) {
    if (!page || field < 0 || field >= ui::fieldCount) return;
    page->runtime->app().activateField(static_cast<ui::FieldId>(field));
}

// Clipboard text: a paste event outside the mirror's fields, or navigator.clipboard.readText().
EMSCRIPTEN_KEEPALIVE void kamusm_paste(const char* text) {
    if (!page || !text) return;
    page->runtime->app().paste(text);
    publish(*page);
}

// kamusmPin.setVerificationCode(code, expiresIn): the page passes the code after the app runs.
EMSCRIPTEN_KEEPALIVE void kamusm_set_verification_code(const char* code, int expiresIn) {
    if (!page || !code) return;
    page->runtime->app().setVerificationCode(code, expiresIn > 0 ? std::optional<int>(expiresIn)
                                                                 : std::nullopt);
    publish(*page);
}

EMSCRIPTEN_KEEPALIVE void kamusm_page_hide() {
    if (page) page->runtime->pageHidden();
}

// The frame statistics since the last call, as JSON, and measuring from now on (FrameStats).
EMSCRIPTEN_KEEPALIVE const char* kamusm_take_stats() {
    static char json[160];
    if (!page) return "null";
    const FrameStats& stats = page->stats;
    std::snprintf(json, sizeof json,
                  R"({"frames":%d,"render_ms":%.1f,"slowest_frame_ms":%.1f,"heap_peak":%zu})",
                  stats.frames, stats.renderMs, stats.slowestMs, stats.heapPeak);
    page->stats = FrameStats{true};
    return json;
}

} // extern "C"

int main() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // nothing of the session is stored
    if (!platform::web::openCanvas(canvasSelector)) {
        std::fprintf(stderr, "kamusm: WebGL2 is not available\n");
        return 1;
    }
    page = std::make_unique<Page>();
    ImGui_ImplOpenGL3_Init("#version 300 es");
    page->runtime = std::make_unique<platform::web::Runtime>(platform::web::readPageConfig());
    emscripten_request_animation_frame_loop(frame, nullptr);
    return 0;
}
