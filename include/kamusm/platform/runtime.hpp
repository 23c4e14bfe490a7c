// The app in the page: the wizard over the fetch bridge, the screens, and the readers the page
// offers (WebUSB, or the demo's virtual one). Carries out what the screens ask of the platform
// and follows the reader: its card going in and out, the reader being unplugged.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/platform/fetch.hpp"
#include "kamusm/platform/webusb.hpp"
#include "kamusm/ui/app.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::platform::web {

// What the page passes to the app (web/app.js: the script tag's data attributes).
struct PageConfig {
    std::string apiBase;          // "" = the page's own origin
    std::string verificationCode; // "" = the holder types or pastes it
    std::optional<int> codeExpiresIn;
    std::string demoReaderModel = "acr39u"; // the virtual reader "Sanal kart ile dene" starts
};
PageConfig readPageConfig();

class PerformanceClock : public wizard::Clock {
public:
    std::int64_t nowMilliseconds() override;
};

class Runtime final : public ui::Host {
public:
    explicit Runtime(PageConfig config);
    ~Runtime() override;

    ui::App& app() { return *app_; }
    // Once per frame: timers, and the step changes the platform follows.
    void update();
    // The page is going away: readers are closed so that other programs get them at once.
    void pageHidden();

    // ui::Host
    wizard::EnvironmentReport probeEnvironment() override;
    bool demoMode() const override { return demo_; }
    void chooseReader() override;
    void tryVirtualCard() override;
    void requestPaste() override;
    void run(Task<void> task) override;

private:
    Task<void> askBackendForDemoMode();
    Task<void> chooseReaderTask();
    Task<void> virtualCardTask();
    Task<void> enterReaderStep();
    Task<void> useGrantedReader();
    // Makes `device` the current reader and hands it to the wizard.
    Task<void> adopt(std::unique_ptr<WebUsbDevice> device);
    Task<void> useCurrentReader();
    // Follows the current reader's slots (interrupt endpoint, or polling without one) until it
    // is closed, replaced or unplugged.
    Task<void> watchSlots(WebUsbDevice& device);
    Task<void> awaitSlotChange(WebUsbDevice& device, std::uint8_t interruptIn);
    Task<void> pollForCard();
    void onConnected(int handle);
    void onDisconnected(int handle);
    void noticeLoss(wizard::WizardError loss);
    WebUsbDevice* current() const { return current_ < 0 ? nullptr : devices_[current_].get(); }

    PageConfig config_;
    FetchHttpClient http_;
    backend::BackendClient backend_;
    PerformanceClock clock_;
    wizard::Wizard wizard_;
    std::unique_ptr<ui::App> app_;
    bool demo_ = false;
    // Every reader the page handed over stays alive until the page goes: a suspended transfer
    // may still refer to it. current_ indexes the one in use (-1: none).
    std::vector<std::unique_ptr<WebUsbDevice>> devices_;
    int current_ = -1;
    WebUsbDevice* watched_ = nullptr; // the reader whose slots are being followed
    wizard::Step lastStep_ = wizard::Step::Environment;
    // A card or reader lost while the wizard was busy with the server: told once it is free.
    std::optional<wizard::WizardError> pendingLoss_;
};

} // namespace kamusm::platform::web
