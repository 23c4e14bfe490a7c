// The floor for the app's start-up (tests/browser/measure.mjs): a bare Dear ImGui app with the
// same back ends (the app's canvas platform on Emscripten's HTML5 API, WebGL2), the same build
// flags and the same way of loading (floor.js), drawing one window of text with ImGui's own font.
// What the app takes beyond this is its own doing.
#include "kamusm/platform/canvas.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

namespace {

bool firstFrame = true;

EM_BOOL frame(double, void*) {
    ImGui_ImplOpenGL3_NewFrame();
    kamusm::platform::web::canvasNewFrame();
    ImGui::NewFrame();
    ImGui::Begin("floor");
    ImGui::TextUnformatted("Dear ImGui, WebGL2");
    ImGui::End();
    ImGui::Render();
    int width = 0, height = 0;
    kamusm::platform::web::canvasSize(width, height);
    glViewport(0, 0, width, height);
    glClearColor(1.0f, 1.0f, 1.0f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (firstFrame) EM_ASM(performance.mark("kamusm-first-frame"));
    firstFrame = false;
    return EM_TRUE;
}

} // namespace

int main() {
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    if (!kamusm::platform::web::openCanvas("#canvas")) return 1;
    ImGui::GetIO().Fonts->AddFontDefault(); // the build's ImGui has no implicit fallback font
    ImGui_ImplOpenGL3_Init("#version 300 es");
    emscripten_request_animation_frame_loop(frame, nullptr);
    return 0;
}
