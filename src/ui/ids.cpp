// The ids by which the DOM mirror and the browser tests name buttons and fields.
#include "kamusm/ui/screen.hpp"

#include <array>

namespace kamusm::ui {

namespace {

constexpr std::array<std::string_view, actionCount> actionIds{
    "switch_language", "large_text",          "check_again",     "submit_code",  "paste_code",
    "choose_reader",   "try_virtual_card",    "download_helper", "choose_card",  "confirm_card",
    "toggle_show_pin", "toggle_keypad",       "keypad_digit",    "keypad_erase", "submit_pin",
    "resend_sms",      "submit_confirmation", "still_here",      "cancel",       "restart",
    "open_help",       "start_over",
};

constexpr std::array<std::string_view, fieldCount> fieldIds{
    "code", "current_pin", "new_pin", "repeat_pin", "confirmation",
};

} // namespace

std::string_view actionId(Action action) {
    return actionIds.at(static_cast<std::size_t>(action));
}

std::string_view fieldId(FieldId field) {
    return fieldIds.at(static_cast<std::size_t>(field));
}

} // namespace kamusm::ui
