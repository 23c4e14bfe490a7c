// The app's screens over the wizard's state: builds the current Screen, draws it with Dear ImGui
// and carries out the actions pressed on the canvas or on the DOM mirror.
#pragma once

#include "kamusm/ui/screen.hpp"
#include "kamusm/ui/theme.hpp"
#include "kamusm/wizard/messages.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace kamusm::ui {

class App {
public:
    // `probe` asks the platform for WebUSB and a secure context (again on "check again").
    explicit App(std::function<wizard::EnvironmentReport()> probe);

    Screen screen() const;
    void press(Action action);
    // Draws the current screen filling the display; actions pressed on it are carried out.
    void draw(const Fonts& fonts, float scale);

    // The error's interfaces.md id, or nothing.
    std::optional<std::string_view> errorId() const;
    wizard::Language language() const { return language_; }

private:
    std::function<wizard::EnvironmentReport()> probe_;
    wizard::EnvironmentReport environment_;
    wizard::Language language_ = wizard::Language::Turkish;
};

// What keeps the browser from reaching USB readers, in the wizard's order (secure context first:
// without it navigator.usb is absent anyway).
std::optional<wizard::WizardError> environmentProblem(const wizard::EnvironmentReport& report);

} // namespace kamusm::ui
