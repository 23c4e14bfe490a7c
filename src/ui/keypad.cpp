// The on-screen keypad of the new_pin step: digits in a new random order each time it opens, so
// that where a finger taps on a kiosk's screen does not give the PIN away.
#include "kamusm/ui/app.hpp"

#include "kamusm/ui/texts.hpp"

#include <algorithm>
#include <numeric>
#include <random>

namespace kamusm::ui {

void App::toggleKeypad() {
    if (keypad_)
        keypad_ = false;
    else
        openKeypad();
}

void App::openKeypad() {
    keypad_ = true;
    keypadOrder_.resize(10);
    std::iota(keypadOrder_.begin(), keypadOrder_.end(), 0);
    // The operating system's random source (crypto.getRandomValues in the browser): a seeded
    // generator's order could be predicted.
    std::random_device random;
    std::shuffle(keypadOrder_.begin(), keypadOrder_.end(), random);
}

std::vector<Button> App::keypadButtons() const {
    std::vector<Button> buttons;
    for (const int digit : keypadOrder_)
        buttons.push_back({Action::KeypadDigit, std::to_string(digit), false, true, digit});
    buttons.push_back({Action::KeypadErase, std::string(uiText(UiText::KeypadErase, language_))});
    return buttons;
}

void App::typeDigit(int digit) {
    if (!isPinField(activeField_)) return;
    std::string& text = buffer(activeField_);
    if (text.size() < rule(activeField_).maxLength) text.push_back(static_cast<char>('0' + digit));
    wizard_.stillHere();
}

void App::eraseDigit() {
    if (!isPinField(activeField_)) return;
    std::string& text = buffer(activeField_);
    if (!text.empty()) {
        text.back() = '\0';
        text.pop_back();
    }
    wizard_.stillHere();
}

} // namespace kamusm::ui
