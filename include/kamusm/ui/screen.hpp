// A screen as plain data: what the canvas draws and what the accessible DOM mirror shows, so the
// two never disagree. Buttons carry the action both of them trigger.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kamusm::ui {

enum class Action { SwitchLanguage, CheckAgain };

struct Button {
    Action action;
    std::string label;
    bool primary = false;
};

struct Screen {
    std::string_view stepId;   // interfaces.md step id ("environment", …)
    std::string_view language; // BCP 47 tag of the texts: "tr" or "en"
    std::string title;
    std::vector<std::string> paragraphs;
    std::string alert; // what is wrong and what to do; empty when nothing is
    std::vector<Button> buttons;
};

} // namespace kamusm::ui
