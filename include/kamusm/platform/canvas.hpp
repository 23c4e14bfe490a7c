// The page's <canvas> as Dear ImGui's platform, straight on Emscripten's HTML5 API: a WebGL2
// context, the canvas's size in device pixels, and its mouse, touch, wheel and keyboard events
// fed to ImGui's IO. It replaces Emscripten's GLFW, whose JavaScript (with its Browser helpers)
// was most of the loader's bytes. Shared by the app and the start-up floor (bench/imgui-floor).
#pragma once

namespace kamusm::platform::web {

// Makes a WebGL2 context on the canvas `selector` names (no depth, stencil or antialiasing:
// ImGui draws flat triangles) current and starts listening to the canvas. Call after
// ImGui::CreateContext(). False: no WebGL2 here.
bool openCanvas(const char* selector);

// The drawing buffer's size in device pixels; ImGui works in these pixels.
void setCanvasSize(int width, int height);
void canvasSize(int& width, int& height);

// Before ImGui::NewFrame(): display size, time step, and the mouse buttons pressed since the
// last frame (a tap shorter than a frame is still one click).
void canvasNewFrame();

} // namespace kamusm::platform::web
