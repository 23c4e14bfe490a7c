// The app's look: a light theme in the KamuSM page's navy, fonts rasterised at the shown size.
#include "kamusm/ui/theme.hpp"

#include "kamusm/ui/font.hpp"
#include "kamusm/wizard/messages.hpp"

#include <imgui.h>

namespace kamusm::ui {

namespace {

constexpr float titlePixels = 28.0f;

// Before Dear ImGui 1.92 a font carries only the ranges asked for: Turkish needs Latin
// Extended-A (ğ Ğ ş Ş ı İ) next to Latin-1 (ç ö ü); plus dashes, quotes, bullet, ellipsis.
constexpr ImWchar glyphRanges[] = {0x0020, 0x017F, 0x2013, 0x2014, 0x2018, 0x201D, 0x2022,
                                   0x2022, 0x2026, 0x2026, 0x20BA, 0x20BA, 0};

ImFont* addFont(float pixels, const ImWchar* ranges, int oversampleH) {
    const std::span<const unsigned char> data = uiFontData();
    ImFontConfig config;
    config.FontDataOwnedByAtlas = false; // the bytes live in the program's data
    config.OversampleH = oversampleH;
    // stb_truetype only reads the bytes; ImGui's signature is not const.
    return ImGui::GetIO().Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(data.data()),
                                                      static_cast<int>(data.size()), pixels,
                                                      &config, ranges);
}

// The title font shows nothing but the step titles, a fixed set of texts: it carries ASCII and
// the titles' own letters in both languages, not all of Latin-1 and Latin Extended-A. Its glyphs
// are the largest, so this is most of what building the atlas at start-up is spared.
const ImWchar* titleRanges() {
    static ImVector<ImWchar> ranges;
    if (!ranges.empty()) return ranges.Data;
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesDefault()); // ASCII
    for (const wizard::Language language : {wizard::Language::Turkish, wizard::Language::English})
        for (int step = 0; step < wizard::stepCount; ++step) {
            const std::string_view title =
                wizard::stepTitle(static_cast<wizard::Step>(step), language);
            builder.AddText(title.data(), title.data() + title.size());
        }
    builder.BuildRanges(&ranges);
    return ranges.Data;
}

ImVec4 rgb(unsigned value, float alpha = 1.0f) {
    return {static_cast<float>((value >> 16) & 0xFF) / 255.0f,
            static_cast<float>((value >> 8) & 0xFF) / 255.0f,
            static_cast<float>(value & 0xFF) / 255.0f, alpha};
}

struct ColourEntry {
    ImGuiCol slot;
    unsigned value;
};

constexpr ColourEntry colours[] = {
    {ImGuiCol_Text, 0x1F2A37},           {ImGuiCol_TextDisabled, 0x6B7280},
    {ImGuiCol_WindowBg, 0xF4F6F9},       {ImGuiCol_ChildBg, 0xFFFFFF},
    {ImGuiCol_Border, 0xD5DBE3},         {ImGuiCol_FrameBg, 0xFFFFFF},
    {ImGuiCol_FrameBgHovered, 0xEEF2F7}, {ImGuiCol_FrameBgActive, 0xE2E8F0},
    {ImGuiCol_Button, 0x1B4F8A},         {ImGuiCol_ButtonHovered, 0x24609F},
    {ImGuiCol_ButtonActive, 0x133B69},   {ImGuiCol_NavHighlight, 0xC8102E},
    {ImGuiCol_Separator, 0xD5DBE3},
};

} // namespace

Fonts loadFonts(float scale) {
    ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    atlas.Clear();
    // Horizontal oversampling places glyphs between pixels; at the title's size it is not seen.
    Fonts fonts{addFont(bodyPixels * scale, glyphRanges, 2),
                addFont(titlePixels * scale, titleRanges(), 1)};
    atlas.Build();
    return fonts;
}

void applyTheme(float scale) {
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    for (const ColourEntry& entry : colours)
        style.Colors[entry.slot] = rgb(entry.value);
    style.WindowBorderSize = 0.0f;
    style.ChildBorderSize = 1.0f;
    style.ChildRounding = 8.0f;
    style.FrameRounding = 6.0f;
    style.FramePadding = {16.0f, 10.0f}; // touch-friendly buttons
    style.ItemSpacing = {12.0f, 14.0f};
    style.WindowPadding = {24.0f, 24.0f};
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

} // namespace kamusm::ui
