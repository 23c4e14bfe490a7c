// A screen as plain data: what the canvas draws and what the accessible DOM mirror shows, so the
// two never disagree. Buttons carry the action both of them trigger; fields the input both edit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm::ui {

// Every button of every screen. The mirror names them by actionId() ("submit_code", …).
enum class Action {
    SwitchLanguage,     // Türkçe ⇄ English
    LargeText,          // larger type for kiosks (toggles)
    CheckAgain,         // environment: probe WebUSB and the secure context again
    SubmitCode,         // code: start the session with the typed code
    PasteCode,          // code: read the clipboard into the code field
    ChooseReader,       // reader: the browser's reader chooser (requestDevice)
    TryVirtualCard,     // reader: "Sanal kart ile dene" (demo mode only)
    DownloadHelper,     // reader, no PC/SC path: the desktop helper's installer for this system
    ChooseCard,         // card, several cards: Button::value is the card's place in the list
    ConfirmCard,        // card: this is my card, go on
    ToggleShowPin,      // new_pin: show or hide the PIN fields' digits
    ToggleKeypad,       // new_pin: on-screen keypad with shuffled digits
    KeypadDigit,        // keypad: Button::value is the digit
    KeypadErase,        // keypad: remove the last digit of the active field
    SubmitPin,          // new_pin: check the PINs and go on
    ResendSms,          // confirm: send a new SMS code
    SubmitConfirmation, // confirm: the SMS code or web password
    StillHere,          // idle warning: keep the session (WCAG 2.2.1)
    Cancel,             // end the session and start over
    Restart,            // done / failed: another operation
    OpenHelp,           // the help page's section for the alert (Screen::help)
    StartOver,          // kiosks, on every screen: "Baştan başla", everything wiped
};
inline constexpr int actionCount = static_cast<int>(Action::StartOver) + 1;
std::string_view actionId(Action action);

enum class FieldId { Code, CurrentPin, NewPin, RepeatPin, Confirmation };
inline constexpr int fieldCount = static_cast<int>(FieldId::Confirmation) + 1;
std::string_view
fieldId(FieldId field); // "code", "current_pin", "new_pin", "repeat_pin", "confirmation"

struct Button {
    Action action;
    std::string label;
    bool primary = false;
    bool enabled = true;
    int value = 0; // KeypadDigit: the digit
};

struct Field {
    FieldId id;
    std::string label;
    std::string hint;    // under the field: the rule it breaks now, or what to type
    bool secret = false; // PINs and the web password: masked, never on the clipboard
    bool numeric = true; // digits only (inputmode="numeric")
    std::size_t maxLength = 0;
    // Non-secret fields carry their text; secret ones only how many characters they hold, so
    // that no PIN ever leaves the app's memory for the mirror's JSON.
    std::string value;
    std::size_t length = 0;
    bool shown = false;  // a secret field shown in clear (show/hide)
    bool active = false; // where typing and the keypad go
};

// A labelled value: the card's holder, serial, validity, PIN tries left …
struct Fact {
    std::string label;
    std::string value;
};

struct Screen {
    std::string_view stepId;   // interfaces.md step id ("environment", …)
    std::string_view language; // BCP 47 tag of the texts: "tr" or "en"
    std::string title;
    std::vector<std::string> paragraphs;
    std::vector<Fact> facts;
    std::vector<Field> fields;
    std::string status; // live status (reader without card, working step in words): announced
    std::string timer;  // "Kalan süre: 4:05": shown, not announced every second
    std::optional<float> progress;  // working: 0 … 1
    std::string alert;              // what is wrong and what to do; empty when nothing is
    std::string help;               // the alert's section of the help page (web/help.html#…)
    std::string warning;            // the idle warning, with a StillHere button; empty when none
    std::vector<std::string> notes; // done: the four warnings of the old app, as a list
    std::vector<Button> buttons;
    std::vector<Button> keypad; // shuffled digits and erase, when the keypad is on
};

} // namespace kamusm::ui
