// Sizing the canvas for GLFW. Emscripten's glfwSetWindowSize goes full screen when the size asked
// for equals the screen's (a kiosk page at device pixel ratio 1), which a page must not do
// without a user gesture; this sets the canvas and GLFW's window size without that rule.
mergeInto(LibraryManager.library, {
  kamusm_set_canvas_size__deps: ['$Browser', '$GLFW'],
  kamusm_set_canvas_size: function (width, height) {
    Browser.setCanvasSize(width, height);
    if (!GLFW.active) return;
    GLFW.active.width = width;
    GLFW.active.height = height;
  },
});
