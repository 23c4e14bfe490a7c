// The browser entry point: a GLFW window on the page's #canvas drawn with WebGL2 at the device
// pixel ratio, one frame per animation frame, the screen mirrored into #app-a11y.
#include "kamusm/platform/web.hpp"
#include "kamusm/ui/app.hpp"
#include "kamusm/ui/theme.hpp"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cmath>
#include <cstdio>
#include <memory>

using namespace kamusm;

namespace {

constexpr const char* canvasSelector = "#canvas";

struct Runtime {
    GLFWwindow* window = nullptr;
    ui::App app{platform::web::probeEnvironment};
    ui::Fonts fonts;
    float scale = 0.0f;        // device pixels per CSS pixel the fonts and style were built for
    std::string screen, state; // what the page last received
    bool firstFrame = true;
};

std::unique_ptr<Runtime> runtime;

// ImGui works in canvas pixels (what GLFW's mouse events report), so the canvas gets CSS size ×
// devicePixelRatio pixels and everything is drawn `scale` times larger: crisp on HiDPI screens.
void fitCanvas(Runtime& r) {
    double cssWidth = 0, cssHeight = 0;
    emscripten_get_element_css_size(canvasSelector, &cssWidth, &cssHeight);
    const double ratio = emscripten_get_device_pixel_ratio();
    const int width = std::max(1, static_cast<int>(std::lround(cssWidth * ratio)));
    const int height = std::max(1, static_cast<int>(std::lround(cssHeight * ratio)));
    int current[2] = {0, 0};
    glfwGetWindowSize(r.window, &current[0], &current[1]);
    if (current[0] != width || current[1] != height) glfwSetWindowSize(r.window, width, height);
    const auto scale = static_cast<float>(ratio);
    if (scale == r.scale) return;
    r.scale = scale;
    r.fonts = ui::loadFonts(scale);
    ui::applyTheme(scale);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

// The mirror and kamusmPin.state() change only when the screen does.
void publish(Runtime& r) {
    const ui::Screen screen = r.app.screen();
    std::string screenJson = platform::web::screenJson(screen);
    if (screenJson != r.screen) platform::web::publishScreen(r.screen = std::move(screenJson));
    std::string stateJson = platform::web::stateJson(screen.stepId, r.app.errorId());
    if (stateJson != r.state) platform::web::publishState(r.state = std::move(stateJson));
}

void frame() {
    Runtime& r = *runtime;
    fitCanvas(r);
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    r.app.draw(r.fonts, r.scale);
    ImGui::Render();
    int width = 0, height = 0;
    glfwGetFramebufferSize(r.window, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    publish(r);
    if (r.firstFrame) platform::web::markFirstFrame();
    r.firstFrame = false;
}

} // namespace

// A button of the DOM mirror was used: the same action as the canvas button.
extern "C" EMSCRIPTEN_KEEPALIVE void kamusm_a11y_press(int action) {
    if (!runtime || action < 0 || action > static_cast<int>(ui::Action::CheckAgain)) return;
    runtime->app.press(static_cast<ui::Action>(action));
    publish(*runtime);
}

int main() {
    if (!glfwInit()) {
        std::fprintf(stderr, "kamusm: GLFW could not start\n");
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    runtime = std::make_unique<Runtime>();
    runtime->window = glfwCreateWindow(1, 1, "KamuSM PIN", nullptr, nullptr);
    if (!runtime->window) {
        std::fprintf(stderr, "kamusm: WebGL2 is not available\n");
        return 1;
    }
    glfwMakeContextCurrent(runtime->window);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // nothing of the session is stored
    ImGui_ImplGlfw_InitForOpenGL(runtime->window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
