// Colours, sizes and fonts of the app, scaled for the device pixel ratio and the large-type
// option so that text is rasterised at the size it is shown.
#pragma once

struct ImFont;

namespace kamusm::ui {

// The body text's size in CSS pixels before the large-type option (theme.cpp, draw.cpp).
inline constexpr float bodyPixels = 18.0f;

struct Fonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
};

// Rebuilds the font atlas for `scale` (device pixels per CSS pixel); the renderer must recreate
// its font texture afterwards.
Fonts loadFonts(float scale);
// Sets ImGui's style to the app's theme at `scale`.
void applyTheme(float scale);

} // namespace kamusm::ui
