// The environment screen: whether this browser can reach USB card readers at all, and if not,
// exactly what is wrong and what to do.
#include "kamusm/ui/app.hpp"

#include "kamusm/wizard/errors.hpp"

#include <imgui.h>

#include <algorithm>

namespace kamusm::ui {

namespace {

using wizard::Language;

struct Text {
    const char* turkish;
    const char* english;
};

std::string pick(const Text& text, Language language) {
    return language == Language::Turkish ? text.turkish : text.english;
}

std::string pick(std::string_view text) {
    return std::string(text);
}

constexpr Text readyText{"Tarayıcınız ve bağlantınız USB kart okuyucu kullanmaya uygun.",
                         "Your browser and connection can use USB card readers."};
constexpr Text checkAgainLabel{"Tekrar denetle", "Check again"};
// Each language is offered in its own name, so a reader of either finds it.
constexpr Text otherLanguageLabel{"English", "Türkçe"};

ImVec4 alertColour() {
    return {0.70f, 0.05f, 0.12f, 1.0f};
}

} // namespace

std::optional<wizard::WizardError> environmentProblem(const wizard::EnvironmentReport& report) {
    if (!report.secureContext) return wizard::WizardError::InsecureContext;
    if (!report.webUsb) return wizard::WizardError::NoWebUsb;
    return std::nullopt;
}

App::App(std::function<wizard::EnvironmentReport()> probe)
    : probe_(std::move(probe)), environment_(probe_()) {}

std::optional<std::string_view> App::errorId() const {
    const auto problem = environmentProblem(environment_);
    if (!problem) return std::nullopt;
    return wizard::errorId(*problem);
}

Screen App::screen() const {
    const wizard::Step step = wizard::Step::Environment;
    Screen screen{wizard::stepId(step),
                  language_ == Language::Turkish ? "tr" : "en",
                  pick(wizard::stepTitle(step, language_)),
                  {},
                  {},
                  {}};
    if (const auto problem = environmentProblem(environment_)) {
        screen.alert = pick(wizard::message(*problem, language_));
        screen.buttons.push_back({Action::CheckAgain, pick(checkAgainLabel, language_), true});
    } else {
        screen.paragraphs.push_back(pick(readyText, language_));
    }
    screen.buttons.push_back({Action::SwitchLanguage, pick(otherLanguageLabel, language_)});
    return screen;
}

void App::press(Action action) {
    switch (action) {
    case Action::SwitchLanguage:
        language_ = language_ == Language::Turkish ? Language::English : Language::Turkish;
        break;
    case Action::CheckAgain:
        environment_ = probe_();
        break;
    }
}

void App::draw(const Fonts& fonts, float scale) {
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
        std::min(viewport.Size.x - 2 * ImGui::GetStyle().WindowPadding.x, 720.0f * scale);
    ImGui::SetCursorPosX((viewport.Size.x - width) / 2);
    ImGui::BeginChild("panel", {width, 0}, true, ImGuiWindowFlags_AlwaysUseWindowPadding);
    std::optional<Action> pressed;

    ImGui::PushFont(fonts.title);
    ImGui::TextWrapped("%s", current.title.c_str());
    ImGui::PopFont();
    ImGui::Separator();
    for (const std::string& paragraph : current.paragraphs)
        ImGui::TextWrapped("%s", paragraph.c_str());
    if (!current.alert.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, alertColour());
        ImGui::TextWrapped("%s", current.alert.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::Spacing();
    for (const Button& button : current.buttons) {
        // Primary: white on navy; secondary: navy on white with a navy outline.
        const ImVec4 navy = ImGui::GetStyleColorVec4(ImGuiCol_Button);
        if (button.primary) {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4{1, 1, 1, 1});
        } else {
            ImGui::PushStyleColor(ImGuiCol_Text, navy);
            ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ChildBg));
            ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                                  ImGui::GetStyleColorVec4(ImGuiCol_FrameBgHovered));
            ImGui::PushStyleColor(ImGuiCol_Border, navy);
        }
        ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, button.primary ? 0.0f : 2.0f * scale);
        ImGui::PushID(static_cast<int>(button.action));
        if (ImGui::Button(button.label.c_str(), {0, 48.0f * scale})) pressed = button.action;
        ImGui::PopID();
        ImGui::PopStyleVar();
        ImGui::PopStyleColor(button.primary ? 1 : 4);
        ImGui::SameLine();
    }
    ImGui::NewLine();
    ImGui::EndChild();
    ImGui::End();
    if (pressed) press(*pressed);
}

} // namespace kamusm::ui
