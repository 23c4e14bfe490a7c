// The app's screens over the wizard: builds the current Screen from the wizard's state and the
// UI's own (language, typed fields, keypad), carries out the actions pressed on the canvas or on
// the DOM mirror, and hands card and server work to the platform. Knows no card bytes.
#pragma once

#include "kamusm/base/task.hpp"
#include "kamusm/ui/screen.hpp"
#include "kamusm/ui/theme.hpp"
#include "kamusm/wizard/guidance.hpp"
#include "kamusm/wizard/messages.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kamusm::ui {

// What the platform does for the app (platform/web's Runtime; a fake in tests).
class Host {
public:
    virtual ~Host() = default;
    // navigator.usb, window.isSecureContext, the deployment, system and browser as the page
    // sees them now.
    virtual wizard::EnvironmentReport probeEnvironment() = 0;
    // The site has a help page (not in kiosks, which keep the holder on the app).
    virtual bool offersHelp() const = 0;
    // Opens the help page at `anchor` (guidance.hpp) beside the app.
    virtual void openHelp(std::string_view anchor) = 0;
    // The backend runs in demo mode: "Sanal kart ile dene" is offered.
    virtual bool demoMode() const = 0;
    // How the app reaches card readers here (none before the platform has picked).
    virtual std::optional<reader::TransportKind> transport() const = 0;
    // Opens the browser's reader chooser; the platform passes the chosen reader to the wizard.
    virtual void chooseReader() = 0;
    // Starts the in-browser virtual reader and card (demo mode) and passes it to the wizard.
    virtual void tryVirtualCard() = 0;
    // The desktop helper's installer for this computer's system, when the site has one: the
    // system's name for the button ("Windows", "Linux").
    virtual std::optional<std::string> helperDownload() const = 0;
    // Starts the download of that installer.
    virtual void downloadHelper() = 0;
    // Asks the clipboard for text (navigator.clipboard); the answer comes back through
    // App::paste(). Only ever used for the verification code.
    virtual void requestPaste() = 0;
    // Runs a wizard event's task in the background (it may wait on WebUSB or fetch).
    virtual void run(Task<void> task) = 0;
};

// What the Reader step shows about the reader, as the platform sees it.
enum class ReaderStatus {
    NoneChosen,     // no reader granted yet
    Opening,        // a reader was chosen and is being opened / its card read
    WaitingForCard, // the reader is open, its slot empty
};

// How the app presents itself.
struct AppOptions {
    // A public terminal (shell/): large type and the on-screen keypad from the start, and
    // "Baştan başla" on every screen instead of Cancel and Start over.
    bool kiosk = false;
};

class App {
public:
    App(wizard::Wizard& wizard, wizard::Clock& clock, Host& host, AppOptions options = {});
    ~App(); // wipes the PIN fields

    Screen screen() const;
    // An action of the current screen (canvas or mirror); one the screen does not offer, or
    // offers disabled, is ignored.
    void press(Action action, int value = 0);
    // Text typed into a field (the mirror's input, or the canvas). Numeric fields keep digits
    // only; every field keeps at most its maxLength. The old text is wiped.
    void setField(FieldId field, std::string_view text);
    void activateField(FieldId field);
    // Text from the clipboard (Host::requestPaste, or a paste event while the code field is
    // active). Goes only into the code field, never into a PIN field.
    void paste(std::string_view text);
    // The page passed the verification code (and how long it stays valid).
    void setVerificationCode(std::string_view code, std::optional<int> expiresInSeconds);
    void setReaderStatus(ReaderStatus status);
    // Called every frame: the wizard's timers, and the PIN fields wiped when the wizard's state
    // calls for it (card removed, idle reset, a step change away from new_pin).
    void update();

    // Draws the current screen with Dear ImGui, filling the display (src/ui/draw.cpp). Actions
    // pressed on it are carried out.
    void draw(const Fonts& fonts, float scale);

    // window.kamusmPin.state()
    std::string_view stepId() const;
    std::optional<std::string_view> errorId() const;
    wizard::Language language() const { return language_; }
    bool largeText() const { return largeText_; }

private:
    // The step's part of the screen (src/ui/screens.cpp), one builder per wizard::Step.
    void environmentScreen(Screen& screen) const;
    void codeScreen(Screen& screen) const;
    void readerScreen(Screen& screen) const;
    void cardScreen(Screen& screen) const;
    void newPinScreen(Screen& screen) const;
    void confirmScreen(Screen& screen) const;
    void workingScreen(Screen& screen) const;
    void doneScreen(Screen& screen) const;
    void failedScreen(Screen& screen) const;
    // What every screen shares: the alert, the idle warning, the session timer, the busy state,
    // the language and type-size buttons.
    void commonParts(Screen& screen) const;
    Field field(FieldId id, std::string label, std::string hint) const;
    // The alert and its help anchor (guidance.hpp).
    std::pair<std::string, std::string_view> alertText() const;
    // Before the session: what is left of the code's validity as the page gave it.
    std::optional<int> codeSecondsLeft() const;
    std::vector<Button> keypadButtons() const;

    // What a field accepts; the confirmation field is a 6-digit SMS code or a web password.
    struct FieldRule {
        bool secret = false;
        bool numeric = true;
        std::size_t maxLength = 0;
    };
    FieldRule rule(FieldId field) const;
    bool isPinField(FieldId field) const;
    // One field with its label and hint (src/ui/draw.cpp); true when Enter was pressed in it.
    bool drawField(const Field& field, float scale);
    bool offers(Action action, int value) const;
    bool offers(FieldId field) const;
    // Puts `typed` into the field as its rule allows, wiping what it held.
    void fill(FieldId field, std::string_view typed);
    void followStep();
    void submitCode();
    void submitPin();
    void submitConfirmation();
    void toggleKeypad();
    void openKeypad();
    // Kiosks: back to the start from anywhere, the session ended and every field wiped.
    void startOver();
    void typeDigit(int digit);
    void eraseDigit();
    // The step changed since the last update: wipe what the old step held, set up the new one.
    void leaveStep(wizard::Step step);
    void enterStep(wizard::Step step);
    void requestSmsOnce();
    void wipeField(FieldId field);
    void wipePinFields();
    std::string& buffer(FieldId field) { return fields_[static_cast<std::size_t>(field)]; }
    const std::string& text(FieldId field) const {
        return fields_[static_cast<std::size_t>(field)];
    }

    wizard::Wizard& wizard_;
    wizard::Clock& clock_;
    Host& host_;
    AppOptions options_;
    wizard::Language language_ = wizard::Language::Turkish;
    wizard::EnvironmentReport environment_; // the last probe: what the guidance depends on
    bool largeText_ = false;
    ReaderStatus readerStatus_ = ReaderStatus::NoneChosen;
    std::array<std::string, fieldCount> fields_;
    FieldId activeField_ = FieldId::Code;
    bool showPin_ = false;
    bool keypad_ = false;
    std::vector<int> keypadOrder_; // the shuffled digits, reshuffled each time the keypad opens
    std::optional<std::int64_t> codeDeadline_; // ms, from setVerificationCode
    wizard::Step lastStep_ = wizard::Step::Environment;
    bool smsRequested_ = false; // the Confirm step asked for an SMS the wizard had not sent
    // Counts the wipes of secret fields, so that draw() also clears ImGui's copy of the text.
    unsigned wipes_ = 0;
    unsigned wipesDrawn_ = 0;
};

} // namespace kamusm::ui
