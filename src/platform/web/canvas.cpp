// The page's <canvas> as Dear ImGui's platform (canvas.hpp), on Emscripten's HTML5 API. Events
// are taken on the canvas itself, so keys reach the app only while the canvas has the focus and
// the page's links and the mirror's controls keep theirs.
#include "kamusm/platform/canvas.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include <algorithm>
#include <bitset>
#include <cfloat>

namespace kamusm::platform::web {

namespace {

// DOM keyCode values of the keys ImGui 1.86 asks for by name (io.KeyMap into io.KeysDown).
struct KeyEntry {
    ImGuiKey key;
    int keyCode;
};

constexpr KeyEntry keyCodes[] = {
    {ImGuiKey_Tab, 9},          {ImGuiKey_LeftArrow, 37}, {ImGuiKey_RightArrow, 39},
    {ImGuiKey_UpArrow, 38},     {ImGuiKey_DownArrow, 40}, {ImGuiKey_PageUp, 33},
    {ImGuiKey_PageDown, 34},    {ImGuiKey_Home, 36},      {ImGuiKey_End, 35},
    {ImGuiKey_Insert, 45},      {ImGuiKey_Delete, 46},    {ImGuiKey_Backspace, 8},
    {ImGuiKey_Space, 32},       {ImGuiKey_Enter, 13},     {ImGuiKey_Escape, 27},
    {ImGuiKey_KeyPadEnter, 13}, // the DOM tells the two Enters apart only by location
    {ImGuiKey_A, 65},           {ImGuiKey_C, 67},         {ImGuiKey_V, 86},
    {ImGuiKey_X, 88},           {ImGuiKey_Y, 89},         {ImGuiKey_Z, 90},
};
static_assert(std::size(keyCodes) == ImGuiKey_COUNT, "every ImGui key has its keyCode");

// DOM MouseEvent.button (0 main, 1 middle, 2 secondary) → ImGui's (0 left, 1 right, 2 middle).
constexpr int imguiButton[] = {0, 2, 1};

// DOM keyCode values of the modifier keys: Shift, Control, Alt and the two Meta keys.
constexpr int shiftKey = 16, controlKey = 17, altKey = 18, metaLeft = 91, metaRight = 93;
constexpr int keyCount = 512; // io.KeysDown

// Dear ImGui 1.86 reads the state of the keys and buttons once a frame and has no queue of their
// events: a press and its release between two frames (a quick tap, a script's key press) would
// not be seen. Such a release waits until one frame has seen the press.
struct CanvasState {
    const char* selector = nullptr;
    int width = 1, height = 1; // the drawing buffer, device pixels
    double lastFrameMs = 0.0;
    bool justPressed[3] = {}; // buttons pressed since the last frame
    bool down[3] = {};
    std::bitset<keyCount> keysPressed;     // since the last frame
    std::bitset<keyCount> keysReleased;    // since the last frame, after a press in it
    std::bitset<keyCount> keysReleaseNext; // to let go of at the next frame
    EmscriptenKeyboardEvent lastKey{};     // for the modifiers held outside the canvas
};

CanvasState canvas;

// Event coordinates are CSS pixels from the canvas's corner; ImGui works in drawing-buffer pixels.
ImVec2 toPixels(double cssX, double cssY) {
    double cssWidth = 0, cssHeight = 0;
    emscripten_get_element_css_size(canvas.selector, &cssWidth, &cssHeight);
    const double sx = cssWidth > 0 ? canvas.width / cssWidth : 1.0;
    const double sy = cssHeight > 0 ? canvas.height / cssHeight : 1.0;
    return {static_cast<float>(cssX * sx), static_cast<float>(cssY * sy)};
}

void press(int button, bool isDown) {
    if (button < 0 || button >= 3) return;
    if (isDown) canvas.justPressed[button] = true;
    canvas.down[button] = isDown;
}

EM_BOOL onMouse(int type, const EmscriptenMouseEvent* event, void*) {
    ImGui::GetIO().MousePos = toPixels(event->targetX, event->targetY);
    if (event->button < std::size(imguiButton) && type != EMSCRIPTEN_EVENT_MOUSEMOVE)
        press(imguiButton[event->button], type == EMSCRIPTEN_EVENT_MOUSEDOWN);
    return EM_FALSE; // the browser still focuses the canvas on a press
}

EM_BOOL onMouseLeave(int, const EmscriptenMouseEvent*, void*) {
    ImGui::GetIO().MousePos = {-FLT_MAX, -FLT_MAX};
    return EM_FALSE;
}

EM_BOOL onWheel(int, const EmscriptenWheelEvent* event, void*) {
    // In lines, as GLFW gave them: pixels / 100, lines / 3, pages × 80; at least one a notch.
    constexpr double perMode[] = {1.0 / 100, 1.0 / 3, 80.0};
    const double scale = event->deltaMode < 3 ? perMode[event->deltaMode] : 1.0;
    const auto lines = [scale](double delta) {
        const double value = -delta * scale;
        return static_cast<float>(value > 0   ? std::max(value, 1.0)
                                  : value < 0 ? std::min(value, -1.0)
                                              : 0.0);
    };
    ImGui::GetIO().MouseWheel += lines(event->deltaY);
    ImGui::GetIO().MouseWheelH += lines(event->deltaX);
    return EM_TRUE; // the wheel over the app scrolls the app, not the page
}

// A touch is the main button at the first finger. The event is taken (the browser makes no
// mouse events of it afterwards, which would press a second time), so the canvas takes the
// focus itself.
EM_BOOL onTouch(int type, const EmscriptenTouchEvent* event, void*) {
    if (event->numTouches < 1) return EM_FALSE;
    const EmscriptenTouchPoint& touch = event->touches[0];
    ImGui::GetIO().MousePos = toPixels(touch.targetX, touch.targetY);
    if (type == EMSCRIPTEN_EVENT_TOUCHSTART) {
        press(0, true);
        EM_ASM({ document.querySelector(UTF8ToString($0)).focus(); }, canvas.selector);
    } else if (type == EMSCRIPTEN_EVENT_TOUCHEND || type == EMSCRIPTEN_EVENT_TOUCHCANCEL) {
        press(0, false);
    }
    return EM_TRUE;
}

EM_BOOL onKey(int type, const EmscriptenKeyboardEvent* event, void*) {
    canvas.lastKey = *event;
    const auto code = static_cast<int>(event->keyCode);
    if (code > 0 && code < keyCount) {
        bool* down = &ImGui::GetIO().KeysDown[code];
        if (type == EMSCRIPTEN_EVENT_KEYDOWN) {
            *down = true;
            canvas.keysPressed.set(code);
        } else if (canvas.keysPressed.test(code)) {
            canvas.keysReleased.set(code);
        } else {
            *down = false;
        }
    }
    // Tab and Backspace would move the focus out of the canvas or go back a page; other keys
    // keep their default so that the keypress with the character still comes.
    return type == EMSCRIPTEN_EVENT_KEYDOWN && (code == 8 || code == 9);
}

// The keys let go of since the last frame, and the modifiers: held as keys, or as the last key
// event says (a modifier pressed before the canvas had the focus).
void keysForFrame(ImGuiIO& io) {
    for (int code = 0; code < keyCount; ++code)
        if (canvas.keysReleaseNext.test(code)) io.KeysDown[code] = false;
    canvas.keysReleaseNext = canvas.keysReleased;
    canvas.keysReleased.reset();
    canvas.keysPressed.reset();
    const EmscriptenKeyboardEvent& last = canvas.lastKey;
    io.KeyShift = io.KeysDown[shiftKey] || last.shiftKey;
    io.KeyCtrl = io.KeysDown[controlKey] || last.ctrlKey;
    io.KeyAlt = io.KeysDown[altKey] || last.altKey;
    io.KeySuper = io.KeysDown[metaLeft] || io.KeysDown[metaRight] || last.metaKey;
}

EM_BOOL onKeyPress(int, const EmscriptenKeyboardEvent* event, void*) {
    if (event->ctrlKey || event->metaKey || event->charCode < 0x20) return EM_FALSE;
    ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(event->charCode));
    return EM_FALSE;
}

EM_BOOL onBlur(int, const EmscriptenFocusEvent*, void*) {
    ImGuiIO& io = ImGui::GetIO();
    std::fill(std::begin(io.KeysDown), std::end(io.KeysDown), false);
    std::fill(std::begin(canvas.down), std::end(canvas.down), false);
    canvas.lastKey = {};
    io.AddFocusEvent(false);
    return EM_FALSE;
}

EM_BOOL onFocus(int, const EmscriptenFocusEvent*, void*) {
    ImGui::GetIO().AddFocusEvent(true);
    return EM_FALSE;
}

void listen(const char* target) {
    emscripten_set_mousedown_callback(target, nullptr, false, onMouse);
    emscripten_set_mouseup_callback(target, nullptr, false, onMouse);
    emscripten_set_mousemove_callback(target, nullptr, false, onMouse);
    emscripten_set_mouseleave_callback(target, nullptr, false, onMouseLeave);
    emscripten_set_wheel_callback(target, nullptr, false, onWheel);
    emscripten_set_touchstart_callback(target, nullptr, false, onTouch);
    emscripten_set_touchmove_callback(target, nullptr, false, onTouch);
    emscripten_set_touchend_callback(target, nullptr, false, onTouch);
    emscripten_set_touchcancel_callback(target, nullptr, false, onTouch);
    emscripten_set_keydown_callback(target, nullptr, false, onKey);
    emscripten_set_keyup_callback(target, nullptr, false, onKey);
    emscripten_set_keypress_callback(target, nullptr, false, onKeyPress);
    emscripten_set_blur_callback(target, nullptr, false, onBlur);
    emscripten_set_focus_callback(target, nullptr, false, onFocus);
}

} // namespace

bool openCanvas(const char* selector) {
    EmscriptenWebGLContextAttributes attributes;
    emscripten_webgl_init_context_attributes(&attributes);
    attributes.majorVersion = 2;
    attributes.depth = EM_FALSE; // ImGui draws flat triangles
    attributes.stencil = EM_FALSE;
    attributes.antialias = EM_FALSE;
    const EMSCRIPTEN_WEBGL_CONTEXT_HANDLE context =
        emscripten_webgl_create_context(selector, &attributes);
    if (context <= 0 || emscripten_webgl_make_context_current(context) != EMSCRIPTEN_RESULT_SUCCESS)
        return false;
    canvas.selector = selector;
    emscripten_get_canvas_element_size(selector, &canvas.width, &canvas.height);
    ImGuiIO& io = ImGui::GetIO();
    io.BackendPlatformName = "kamusm_canvas";
    for (const KeyEntry& entry : keyCodes)
        io.KeyMap[entry.key] = entry.keyCode;
    listen(selector);
    canvas.lastFrameMs = emscripten_get_now();
    return true;
}

void setCanvasSize(int width, int height) {
    emscripten_set_canvas_element_size(canvas.selector, width, height);
    canvas.width = width;
    canvas.height = height;
}

void canvasSize(int& width, int& height) {
    width = canvas.width;
    height = canvas.height;
}

void canvasNewFrame() {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = {static_cast<float>(canvas.width), static_cast<float>(canvas.height)};
    const double now = emscripten_get_now();
    io.DeltaTime = static_cast<float>(std::max(now - canvas.lastFrameMs, 1.0) / 1000.0);
    canvas.lastFrameMs = now;
    for (int button = 0; button < 3; ++button) {
        io.MouseDown[button] = canvas.justPressed[button] || canvas.down[button];
        canvas.justPressed[button] = false;
    }
    keysForFrame(io);
}

} // namespace kamusm::platform::web
