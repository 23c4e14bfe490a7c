// The current screen drawn with Dear ImGui: one centred panel with the title, the idle warning,
// the alert, the text, the card's facts, the fields, the keypad, the notes and the buttons. Only
// the wasm build compiles this file (cmake/WebApp.cmake); the screens themselves are plain data.
#include "kamusm/ui/app.hpp"

#include <imgui.h>
#include <imgui_internal.h> // ImGuiInputTextState: ImGui's own copy of the typed text

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace kamusm::ui {

namespace {

constexpr float panelWidth = 720.0f;  // CSS pixels
constexpr float buttonHeight = 48.0f; // CSS pixels: a comfortable touch target
constexpr float keyHeight = 64.0f;

ImVec4 rgb(unsigned value) {
    return {static_cast<float>((value >> 16) & 0xFF) / 255.0f,
            static_cast<float>((value >> 8) & 0xFF) / 255.0f,
            static_cast<float>(value & 0xFF) / 255.0f, 1.0f};
}

const ImVec4 alertRed = rgb(0xB3001E);
const ImVec4 warningText = rgb(0x5C3B00);
const ImVec4 warningBackground = rgb(0xFFF1C2);
const ImVec4 hintGrey = rgb(0x4B5563);
const ImVec4 fieldOutline = rgb(0x6B7280);
const ImVec4 statusNavy = rgb(0x1B4F8A);
const ImVec4 white = rgb(0xFFFFFF);

void wipeMemory(void* data, std::size_t size) {
    volatile auto* bytes = static_cast<volatile unsigned char*>(data);
    while (size--)
        *bytes++ = 0;
}

// ImGui keeps the text of the field being edited (and its undo steps) in buffers of its own;
// when the app wipes a secret field, those go too.
void forgetTypedText() {
    ImGuiInputTextState& state = GImGui->InputTextState;
    wipeMemory(state.TextW.Data, static_cast<std::size_t>(state.TextW.Capacity) * sizeof(ImWchar));
    wipeMemory(state.TextA.Data, static_cast<std::size_t>(state.TextA.Capacity));
    wipeMemory(state.InitialTextA.Data, static_cast<std::size_t>(state.InitialTextA.Capacity));
    wipeMemory(&state.Stb, sizeof(state.Stb));
    state.CurLenA = state.CurLenW = 0;
    ImGui::ClearActiveID();
}

// While a secret field is drawn, the clipboard neither gives (no pasting a PIN from elsewhere)
// nor takes (no copying a shown PIN out).
class ClipboardShut {
public:
    explicit ClipboardShut(bool shut) : io_(ImGui::GetIO()), shut_(shut) {
        if (!shut_) return;
        get_ = io_.GetClipboardTextFn;
        set_ = io_.SetClipboardTextFn;
        io_.GetClipboardTextFn = [](void*) { return ""; };
        io_.SetClipboardTextFn = [](void*, const char*) {};
    }
    ~ClipboardShut() {
        if (!shut_) return;
        io_.GetClipboardTextFn = get_;
        io_.SetClipboardTextFn = set_;
    }
    ClipboardShut(const ClipboardShut&) = delete;
    ClipboardShut& operator=(const ClipboardShut&) = delete;

private:
    ImGuiIO& io_;
    bool shut_;
    const char* (*get_)(void*) = nullptr;
    void (*set_)(void*, const char*) = nullptr;
};

void wrappedText(const std::string& text, const ImVec4& colour) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

// Text on a coloured band across the panel, for what must not be missed.
void band(const std::string& text, const ImVec4& colour, const ImVec4& background, float scale) {
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float pad = 10.0f * scale;
    ImDrawList& draw = *ImGui::GetWindowDrawList();
    draw.ChannelsSplit(2);
    draw.ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos({start.x + pad, start.y + pad});
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - 2 * pad);
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    const float end = ImGui::GetItemRectMax().y + pad;
    draw.ChannelsSetCurrent(0);
    draw.AddRectFilled(start, {start.x + width, end}, ImGui::GetColorU32(background),
                       ImGui::GetStyle().FrameRounding);
    draw.ChannelsMerge();
    ImGui::SetCursorScreenPos({start.x, end});
    ImGui::Dummy({width, ImGui::GetStyle().ItemSpacing.y * 0.5f});
}

void title(const Screen& screen, const Fonts& fonts) {
    ImGui::PushFont(fonts.title);
    ImGui::TextWrapped("%s", screen.title.c_str());
    ImGui::PopFont();
    ImGui::Separator();
}

// Label and value side by side (35 % and 65 % of the width), every other row shaded, a line
// between rows. Drawn here, not with Dear ImGui's tables: those were 12 KB of the wasm's code
// for this one list.
void facts(const std::vector<Fact>& list) {
    if (list.empty()) return;
    const ImVec2 pad = ImGui::GetStyle().CellPadding;
    const float left = ImGui::GetCursorPosX();
    const float width = ImGui::GetContentRegionAvail().x;
    const float split = left + width * 0.35f;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->ChannelsSplit(2); // the shading (0) goes under the rows' text (1)
    for (std::size_t row = 0; row < list.size(); ++row) {
        const ImVec2 top = ImGui::GetCursorScreenPos();
        const float topY = ImGui::GetCursorPosY();
        draw->ChannelsSetCurrent(1);
        ImGui::SetCursorPos({left, topY + pad.y});
        ImGui::PushTextWrapPos(split - pad.x);
        wrappedText(list[row].label, hintGrey);
        ImGui::PopTextWrapPos();
        float bottom = ImGui::GetItemRectMax().y;
        ImGui::SetCursorPos({split + pad.x, topY + pad.y});
        ImGui::PushTextWrapPos(left + width);
        ImGui::TextWrapped("%s", list[row].value.c_str());
        ImGui::PopTextWrapPos();
        bottom = std::max(bottom, ImGui::GetItemRectMax().y) + pad.y;
        draw->ChannelsSetCurrent(0);
        if (row % 2 == 1)
            draw->AddRectFilled(top, {top.x + width, bottom},
                                ImGui::GetColorU32(ImGuiCol_TableRowBgAlt));
        if (row > 0)
            draw->AddLine(top, {top.x + width, top.y},
                          ImGui::GetColorU32(ImGuiCol_TableBorderLight));
        ImGui::SetCursorScreenPos({top.x, bottom});
    }
    draw->ChannelsMerge();
    ImGui::Dummy({width, 0.0f});
}

// An indeterminate bar: a segment sweeping across, for card work of unknown length.
void workingIndicator(float scale) {
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float height = 8.0f * scale;
    ImDrawList& draw = *ImGui::GetWindowDrawList();
    draw.AddRectFilled(start, {start.x + width, start.y + height},
                       ImGui::GetColorU32(ImGuiCol_FrameBgActive), height / 2);
    const float phase = static_cast<float>(std::fmod(ImGui::GetTime(), 1.6) / 1.6);
    const float segment = width * 0.3f;
    const float left = start.x + (width + segment) * phase - segment;
    draw.AddRectFilled({std::max(left, start.x), start.y},
                       {std::min(left + segment, start.x + width), start.y + height},
                       ImGui::GetColorU32(ImGuiCol_Button), height / 2);
    ImGui::Dummy({width, height});
}

void progress(const Screen& screen, float scale) {
    if (screen.progress)
        ImGui::ProgressBar(*screen.progress, {-1.0f, 8.0f * scale}, "");
    else if (screen.stepId == wizard::stepId(wizard::Step::Working))
        workingIndicator(scale);
}

void notes(const std::vector<std::string>& list) {
    for (const std::string& note : list) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", note.c_str());
    }
}

// Primary: white on navy; secondary: navy on white with a navy outline.
bool drawButton(const Button& button, ImVec2 size, float scale) {
    const ImVec4 navy = ImGui::GetStyleColorVec4(ImGuiCol_Button);
    if (button.primary) {
        ImGui::PushStyleColor(ImGuiCol_Text, white);
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, navy);
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ChildBg));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                              ImGui::GetStyleColorVec4(ImGuiCol_FrameBgHovered));
        ImGui::PushStyleColor(ImGuiCol_Border, navy);
    }
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, button.primary ? 0.0f : 2.0f * scale);
    ImGui::PushID(static_cast<int>(button.action) * 16 + button.value);
    ImGui::BeginDisabled(!button.enabled);
    const bool pressed = ImGui::Button(button.label.c_str(), size);
    ImGui::EndDisabled();
    ImGui::PopID();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(button.primary ? 1 : 4);
    return pressed;
}

// The buttons in a row that wraps when the panel is narrow.
const Button* buttonRow(const std::vector<Button>& buttons, float scale) {
    const Button* pressed = nullptr;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
    bool first = true;
    for (const Button& button : buttons) {
        const float width = ImGui::CalcTextSize(button.label.c_str()).x + 2 * style.FramePadding.x;
        if (!first) {
            ImGui::SameLine();
            if (ImGui::GetCursorPosX() + width > right) ImGui::NewLine();
        }
        first = false;
        if (drawButton(button, {width, buttonHeight * scale}, scale)) pressed = &button;
    }
    return pressed;
}

// Ten digits and erase, three to a row, large enough for a finger.
const Button* keypad(const std::vector<Button>& keys, float scale) {
    const Button* pressed = nullptr;
    if (keys.empty()) return pressed;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float width = std::min(ImGui::GetContentRegionAvail().x, 420.0f * scale);
    const ImVec2 size{(width - 2 * spacing) / 3, keyHeight * scale};
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i % 3 != 0) ImGui::SameLine();
        if (drawButton(keys[i], size, scale)) pressed = &keys[i];
    }
    return pressed;
}

} // namespace

void App::draw(const Fonts& fonts, float scale) {
    if (wipes_ != wipesDrawn_) {
        forgetTypedText();
        wipesDrawn_ = wipes_;
    }
    const Screen current = screen();
    const ImGuiViewport& viewport = *ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport.Pos);
    ImGui::SetNextWindowSize(viewport.Size);
    constexpr ImGuiWindowFlags fill = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("kamusm", nullptr, fill);
    // One centred panel, at most 720 CSS pixels wide, the full width on phones.
    const float width =
        std::min(viewport.Size.x - 2 * ImGui::GetStyle().WindowPadding.x, panelWidth * scale);
    ImGui::SetCursorPosX((viewport.Size.x - width) / 2);
    ImGui::BeginChild("panel", {width, 0}, true, ImGuiWindowFlags_AlwaysUseWindowPadding);

    const Button* pressed = nullptr;
    title(current, fonts);
    if (!current.warning.empty()) band(current.warning, warningText, warningBackground, scale);
    if (!current.alert.empty()) wrappedText(current.alert, alertRed);
    for (const std::string& paragraph : current.paragraphs)
        ImGui::TextWrapped("%s", paragraph.c_str());
    facts(current.facts);
    bool enter = false;
    for (const Field& field : current.fields)
        enter = drawField(field, scale) || enter;
    if (const Button* key = keypad(current.keypad, scale)) pressed = key;
    if (!current.status.empty()) wrappedText(current.status, statusNavy);
    progress(current, scale);
    if (!current.timer.empty()) wrappedText(current.timer, hintGrey);
    notes(current.notes);
    ImGui::Spacing();
    if (const Button* button = buttonRow(current.buttons, scale)) pressed = button;

    ImGui::EndChild();
    ImGui::End();

    if (pressed) {
        press(pressed->action, pressed->value);
    } else if (enter) {
        // Enter in a field does what the screen's primary button does.
        const auto primary = std::find_if(current.buttons.begin(), current.buttons.end(),
                                          [](const Button& button) { return button.primary; });
        if (primary != current.buttons.end()) press(primary->action, primary->value);
    }
}

bool App::drawField(const Field& field, float scale) {
    ImGui::TextUnformatted(field.label.c_str());
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
    if (field.numeric) flags |= ImGuiInputTextFlags_CharsDecimal;
    if (field.secret) flags |= ImGuiInputTextFlags_NoUndoRedo;
    if (field.secret && !field.shown) flags |= ImGuiInputTextFlags_Password;

    // The field's text in a buffer on the stack, wiped as soon as ImGui has seen it.
    std::array<char, 160> typed{};
    const std::string& held = text(field.id);
    std::copy_n(held.begin(), std::min(held.size(), typed.size() - 1), typed.begin());
    ImGui::PushID(static_cast<int>(field.id));
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                        {ImGui::GetStyle().FramePadding.x, 15.0f * scale}); // 48 CSS px tall
    // An outline with 3:1 contrast (WCAG 1.4.11); the field the keypad types into in navy.
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, (field.active ? 2.0f : 1.0f) * scale);
    ImGui::PushStyleColor(ImGuiCol_Border,
                          field.active ? ImGui::GetStyleColorVec4(ImGuiCol_Button) : fieldOutline);
    bool enter = false;
    {
        ClipboardShut shut(field.secret);
        enter = ImGui::InputText("##field", typed.data(),
                                 std::min(typed.size(), field.maxLength + 1), flags);
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
    if (ImGui::IsItemActivated()) activateField(field.id);
    ImGui::PopID();
    if (std::strcmp(typed.data(), held.c_str()) != 0) setField(field.id, typed.data());
    wipeMemory(typed.data(), typed.size());
    if (!field.hint.empty()) wrappedText(field.hint, hintGrey);
    return enter;
}

} // namespace kamusm::ui
