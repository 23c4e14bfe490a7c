// The app's screens over the wizard: builds the current Screen from the wizard's state and the
// UI's own (language, typed fields, keypad), carries out the actions pressed on the canvas or on
// the DOM mirror, and hands card and server work to the platform. Knows no card bytes.
#pragma once

#include "kamusm/base/task.hpp"
#include "kamusm/ui/screen.hpp"
#include "kamusm/ui/theme.hpp"
#include "kamusm/wizard/messages.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm::ui {

// What the platform does for the app (platform/web's Runtime; a fake in tests).
class Host {
public:
    virtual ~Host() = default;
    // navigator.usb and window.isSecureContext as the page sees them now.
    virtual wizard::EnvironmentReport probeEnvironment() = 0;
    // The backend runs in demo mode: "Sanal kart ile dene" is offered.
    virtual bool demoMode() const = 0;
    // Opens the browser's reader chooser; the platform passes the chosen reader to the wizard.
    virtual void chooseReader() = 0;
    // Starts the in-browser virtual reader and card (demo mode) and passes it to the wizard.
    virtual void tryVirtualCard() = 0;
    // Asks the clipboard for text (navigator.clipboard); the answer comes back through
    // App::paste(). Only ever used for the verification code.
    virtual void requestPaste() = 0;
    // Runs a wizard event's task in the background (it may wait on WebUSB or fetch).
    virtual void run(Task<void> task) = 0;
};

// What the Reader step shows about the reader, as the platform sees it.
enum class ReaderStatus {
    NoneChosen,    // no reader granted yet
    Opening,       // a reader was chosen and is being opened / its card read
    WaitingForCard, // the reader is open, its slot empty
};

class App {
public:
    App(wizard::Wizard& wizard, wizard::Clock& clock, Host& host);
    ~App(); // wipes the PIN fields

    Screen screen() const;
    void press(Action action, int value = 0);
    // Text typed into a field (the mirror's input, or the canvas). Secret fields keep digits
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

    // Field contents, for the canvas's InputText (secret ones too: the canvas draws them masked).
    std::string& fieldBuffer(FieldId field);

private:
    wizard::Wizard& wizard_;
    wizard::Clock& clock_;
    Host& host_;
    wizard::Language language_ = wizard::Language::Turkish;
    bool largeText_ = false;
    ReaderStatus readerStatus_ = ReaderStatus::NoneChosen;
    std::array<std::string, fieldCount> fields_;
    FieldId activeField_ = FieldId::Code;
    bool showPin_ = false;
    bool keypad_ = false;
    std::vector<int> keypadOrder_; // the shuffled digits, reshuffled each time the keypad opens
    std::optional<std::int64_t> codeDeadline_; // ms, from setVerificationCode
    wizard::Step lastStep_ = wizard::Step::Environment;
};

} // namespace kamusm::ui
