// The app in the page: the wizard over the fetch bridge, the screens, and the reader owner with
// the transport this page has, in the order of preference: the Web Smart Card API where
// navigator.smartCard exists, the desktop helper where the KamuSM extension announces it, else
// WebUSB readers; the demo's virtual one on request. A thin adapter: it hands the owner what
// the browser gives (contexts, chosen and granted readers, connect and disconnect events) and
// the owner's events to the wizard.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/platform/fetch.hpp"
#include "kamusm/platform/smartcard.hpp"
#include "kamusm/platform/webusb.hpp"
#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/ui/app.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <memory>
#include <optional>
#include <string>

namespace kamusm::platform::web {

// What the page passes to the app (web/app.js: the script tag's data attributes).
struct PageConfig {
    std::string apiBase;          // "" = the page's own origin
    std::string verificationCode; // "" = the holder types or pastes it
    std::optional<int> codeExpiresIn;
    std::string demoReaderModel = "acr39u"; // the virtual reader "Sanal kart ile dene" starts
    std::string helperDownloads;            // the URL of the folder of the helper's installers
    std::string helpPage;                   // the help page's URL ("": none, as in kiosks)
    bool kiosk = false;                     // a public terminal's page (shell/)
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
    std::optional<reader::TransportKind> transport() const override;
    void chooseReader() override;
    void tryVirtualCard() override;
    std::optional<std::string> helperDownload() const override;
    void downloadHelper() override;
    bool offersHelp() const override;
    void openHelp(std::string_view anchor) override;
    void requestPaste() override;
    void run(Task<void> task) override;

private:
    Task<void> askBackendForDemoMode();
    Task<void> chooseReaderTask();
    Task<void> virtualCardTask();
    Task<void> enterReaderStep();
    // The page's own transport when none is in use (or the demo's was): PC/SC when the page has
    // it, else WebUSB with the readers granted before.
    Task<void> useDefaultTransport();
    Task<void> useSmartCard(SmartCardApi api);
    // Makes a CCID transport of `kind` the one in use (if it is not already) and follows it.
    Task<reader::CcidTransport*> useCcid(reader::TransportKind kind);
    void onConnected(int handle);
    void onDisconnected(int handle);
    void onReaderEvent(const reader::Event& event);

    PageConfig config_;
    FetchHttpClient http_;
    backend::BackendClient backend_;
    PerformanceClock clock_;
    reader::Owner readers_;
    wizard::Wizard wizard_;
    std::unique_ptr<ui::App> app_;
    bool demo_ = false;
    reader::CcidTransport* ccid_ = nullptr; // the owner's transport when it is ours
    wizard::Step lastStep_ = wizard::Step::Environment;
};

} // namespace kamusm::platform::web
