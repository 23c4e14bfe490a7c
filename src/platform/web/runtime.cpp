// The app in the page: wires the wizard, the screens and the reader owner together (see
// runtime.hpp).
#include "kamusm/platform/runtime.hpp"

#include "kamusm/base/json.hpp"
#include "kamusm/platform/demo_module.hpp"
#include "kamusm/platform/smartcard.hpp"
#include "kamusm/platform/web.hpp"
#include "kamusm/reader/pcsc_transport.hpp"

#include <emscripten/emscripten.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>

namespace kamusm::platform::web {

namespace {

// clang-format off
EM_JS(char*, kamusm_page_config, (), {
    const text = JSON.stringify(Module.kamusmConfig || {});
    const size = lengthBytesUTF8(text) + 1;
    const pointer = _malloc(size);
    stringToUTF8(text, pointer, size);
    return pointer;
});
EM_JS(void, kamusm_download, (const char* url), {
    const link = document.createElement("a");
    link.href = UTF8ToString(url);
    link.download = "";
    document.body.appendChild(link);
    link.click();
    link.remove();
});
EM_JS(void, kamusm_open_help, (const char* url), {
    window.open(UTF8ToString(url), "_blank", "noopener");
});
EM_JS(void, kamusm_read_clipboard, (), {
    if (!navigator.clipboard || !navigator.clipboard.readText) return;
    navigator.clipboard.readText().then((text) => Module.kamusmPaste(text), () => {});
});
// clang-format on

// The desktop helper's installers the build puts into downloads/ (tests/build-helper.sh), by
// system. macOS has none: the helper is built there from source.
struct HelperInstaller {
    wizard::System system;
    std::string_view name;
    std::string_view file;
};
constexpr std::array<HelperInstaller, 2> helperInstallers{{
    {wizard::System::Windows, "Windows", "kamusm-pcsc-helper-setup.exe"},
    {wizard::System::Linux, "Linux", "kamusm-pcsc-helper_amd64.deb"},
}};

const HelperInstaller* helperInstaller() {
    const wizard::System system = web::probeEnvironment().system;
    for (const HelperInstaller& installer : helperInstallers)
        if (installer.system == system) return &installer;
    return nullptr;
}

// A timer as an awaitable: resumes the coroutine after `delay` from the browser's event loop,
// or at once when its task is cancelled (the timer then fires into nothing).
class Sleep {
public:
    explicit Sleep(usb::Milliseconds delay) : delay_(delay) {}
    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> waiting) {
        timer_ = new Timer{waiting};
        if (!cancellation_.arm(waiting,
                               [timer = timer_] { std::exchange(timer->waiting, {}).resume(); })) {
            delete std::exchange(timer_, nullptr);
            return false;
        }
        emscripten_async_call(&Sleep::fired, timer_, static_cast<int>(delay_.count()));
        return true;
    }
    void await_resume() {
        cancellation_.disarm();
        cancellation_.throwIfCancelled();
    }

private:
    // Lives until the browser's timer fires, which may be after the awaiter is gone.
    struct Timer {
        coro::coroutine_handle<> waiting;
    };
    static void fired(void* address) {
        auto* timer = static_cast<Timer*>(address);
        coro::coroutine_handle<> waiting = timer->waiting;
        delete timer;
        if (waiting) waiting.resume();
    }

    usb::Milliseconds delay_;
    Timer* timer_ = nullptr;
    CancellableWait cancellation_;
};

Task<void> sleepFor(usb::Milliseconds delay) {
    co_await Sleep{delay};
}

// In the order of preference: the browser's own API, then the helper.
std::optional<SmartCardApi> pcscApiNow() {
    if (smartCardSupported()) return SmartCardApi::WebSmartCard;
    if (helperAnnounced()) return SmartCardApi::Helper;
    return std::nullopt;
}

// The same, giving an extension that has not answered the page yet its moment.
Task<std::optional<SmartCardApi>> pcscApi() {
    if (const std::optional<SmartCardApi> now = pcscApiNow()) co_return now;
    if (co_await helperPresent()) co_return SmartCardApi::Helper;
    co_return std::nullopt;
}

// A kiosk wipes everything when the card leaves and a minute after an operation ends.
constexpr int kioskFinishedResetSeconds = 60;

wizard::WizardOptions wizardOptions(const PageConfig& config) {
    wizard::WizardOptions options;
    options.endOnRemoval = config.kiosk;
    options.finishedResetSeconds = config.kiosk ? kioskFinishedResetSeconds : 0;
    return options;
}

} // namespace

PageConfig readPageConfig() {
    char* text = kamusm_page_config();
    const json::Value page = json::parse(text).value_or(json::Value());
    std::free(text);
    PageConfig config;
    const auto string = [&](const char* name, std::string_view fallback) {
        return std::string(page[name].string().value_or(fallback));
    };
    config.apiBase = string("apiBase", "");
    config.verificationCode = string("verificationCode", "");
    if (const std::optional<std::int64_t> seconds = page["codeExpiresIn"].integer();
        seconds && *seconds >= 0 && *seconds <= std::numeric_limits<int>::max())
        config.codeExpiresIn = static_cast<int>(*seconds);
    config.demoReaderModel = string("demoReader", config.demoReaderModel);
    config.helperDownloads = string("helperDownloads", "");
    config.helpPage = string("helpPage", "");
    config.kiosk = page["kiosk"].boolean().value_or(false);
    return config;
}

std::int64_t PerformanceClock::nowMilliseconds() {
    return static_cast<std::int64_t>(emscripten_get_now());
}

Runtime::Runtime(PageConfig config)
    : config_(std::move(config)), http_(config_.apiBase), backend_(http_),
      readers_([this](const reader::Event& event) { onReaderEvent(event); }),
      wizard_(backend_, clock_, readers_, wizardOptions(config_)) {
    app_ = std::make_unique<ui::App>(wizard_, clock_, *this, ui::AppOptions{config_.kiosk});
    if (!config_.verificationCode.empty())
        app_->setVerificationCode(config_.verificationCode, config_.codeExpiresIn);
    setUsbEvents({[this](int handle) { onConnected(handle); },
                  [this](int handle) { onDisconnected(handle); }});
    run(askBackendForDemoMode());
}

Runtime::~Runtime() = default;

void Runtime::update() {
    app_->update();
    const wizard::Step step = wizard_.state().step;
    if (step == wizard::Step::Reader && lastStep_ != step) run(enterReaderStep());
    if (const auto event = wizard_.takePendingEvent()) run(wizard_.readerEvent(*event));
    lastStep_ = step;
}

void Runtime::pageHidden() {
    releaseAllDevices();
    releaseAllSmartCards();
}

wizard::EnvironmentReport Runtime::probeEnvironment() {
    return web::probeEnvironment();
}

std::optional<reader::TransportKind> Runtime::transport() const {
    return readers_.transport();
}

void Runtime::chooseReader() {
    run(chooseReaderTask());
}

void Runtime::tryVirtualCard() {
    if (demo_) run(virtualCardTask());
}

std::optional<std::string> Runtime::helperDownload() const {
    const HelperInstaller* installer = helperInstaller();
    if (!installer || config_.helperDownloads.empty()) return std::nullopt;
    return std::string(installer->name);
}

void Runtime::downloadHelper() {
    if (const HelperInstaller* installer = helperInstaller())
        kamusm_download((config_.helperDownloads + std::string(installer->file)).c_str());
}

bool Runtime::offersHelp() const {
    return !config_.helpPage.empty();
}

void Runtime::openHelp(std::string_view anchor) {
    if (offersHelp()) kamusm_open_help((config_.helpPage + "#" + std::string(anchor)).c_str());
}

void Runtime::requestPaste() {
    kamusm_read_clipboard();
}

void Runtime::run(Task<void> task) {
    spawn(std::move(task), [](std::exception_ptr failure) {
        // Wizard events keep their failures in its state; anything else is a bug worth seeing.
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& error) {
            std::fprintf(stderr, "kamusm: %s\n", error.what());
        }
    });
}

Task<void> Runtime::askBackendForDemoMode() {
    try {
        demo_ = (co_await backend_.health()).demo;
    } catch (const Error&) {
        demo_ = false; // the wizard reports the server when it needs it
    }
    if (demo_) preloadDemoModule();
}

Task<reader::CcidTransport*> Runtime::useCcid(reader::TransportKind kind) {
    if (!ccid_ || readers_.transport() != kind) {
        auto transport = std::make_unique<reader::CcidTransport>(kind, sleepFor);
        reader::CcidTransport& kept = *transport;
        ccid_ = nullptr;
        co_await readers_.use(std::move(transport));
        ccid_ = &kept;
        readers_.watch();
    }
    co_return ccid_;
}

// PC/SC (the Web Smart Card API or the desktop helper): no chooser; the button opens the API
// again (after a refused permission, a stopped service, a helper just installed) and looks at
// the readers.
Task<void> Runtime::chooseReaderTask() {
    // Not waiting for an extension: the click's user activation must reach the chooser.
    if (const std::optional<SmartCardApi> api = pcscApiNow()) {
        co_await useSmartCard(*api);
        co_await wizard_.findCard();
        co_return;
    }
    std::unique_ptr<WebUsbDevice> device;
    try {
        device = co_await requestReader();
    } catch (const Error&) {
        // No WebUSB: the environment step already says so.
    }
    if (!device) co_return;
    (co_await useCcid(reader::TransportKind::WebUsb))->addDevice(std::move(device));
    co_await wizard_.findCard();
}

Task<void> Runtime::virtualCardTask() {
    const auto operation = wizard_.state().operation;
    if (!operation) co_return;
    // The enrolment is server work outside the wizard: the screen shows it as opening a reader.
    app_->setReaderStatus(ui::ReaderStatus::Opening);
    int handle = -1;
    try {
        handle = co_await createDemoReader(config_.demoReaderModel, *operation);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "kamusm: the virtual card could not be enrolled: %s\n", error.what());
    }
    app_->setReaderStatus(ui::ReaderStatus::NoneChosen);
    if (handle < 0) co_return;
    (co_await useCcid(reader::TransportKind::Demo))
        ->addDevice(std::make_unique<WebUsbDevice>(handle));
    co_await wizard_.findCard();
}

// Readers granted on an earlier visit are used without asking; the reader of the last
// operation is looked at again, unless the step was reached because its card or the reader
// went away (the owner's events then tell when it is back).
Task<void> Runtime::enterReaderStep() {
    if (!readers_.transport() || readers_.transport() == reader::TransportKind::Demo)
        co_await useDefaultTransport();
    else if (wizard_.state().error)
        co_return;
    if (readers_.transport()) co_await wizard_.findCard();
}

Task<void> Runtime::useDefaultTransport() {
    if (const std::optional<SmartCardApi> api = co_await pcscApi()) {
        co_await useSmartCard(*api);
        co_return;
    }
    std::vector<std::unique_ptr<WebUsbDevice>> granted;
    try {
        granted = co_await grantedReaders();
    } catch (const Error&) {
        co_return;
    }
    if (granted.empty()) co_return;
    reader::CcidTransport* transport = co_await useCcid(reader::TransportKind::WebUsb);
    for (auto& device : granted)
        transport->addDevice(std::move(device));
}

// Two contexts: the API serves one call at a time per context, and the wait for a change would
// hold the one the card's commands need.
Task<void> Runtime::useSmartCard(SmartCardApi api) {
    const reader::TransportKind kind = api == SmartCardApi::Helper
                                           ? reader::TransportKind::Helper
                                           : reader::TransportKind::SmartCard;
    std::unique_ptr<reader::Transport> transport;
    try {
        auto commands = co_await establishSmartCardContext(api);
        auto watch = co_await establishSmartCardContext(api);
        transport =
            std::make_unique<reader::PcscTransport>(std::move(commands), kind, std::move(watch));
    } catch (const pcsc::Error&) {
        transport = std::make_unique<reader::UnavailableTransport>(kind, std::current_exception());
    }
    ccid_ = nullptr;
    co_await readers_.use(std::move(transport));
    readers_.watch();
}

void Runtime::onConnected(int handle) {
    auto device = std::make_unique<WebUsbDevice>(handle);
    if (ccid_ && readers_.transport() == reader::TransportKind::WebUsb)
        ccid_->addDevice(std::move(device));
    else if (wizard_.state().step == wizard::Step::Reader && !ccid_ && !pcscApiNow())
        run([](Runtime& self, std::unique_ptr<WebUsbDevice> plugged) -> Task<void> {
            (co_await self.useCcid(reader::TransportKind::WebUsb))->addDevice(std::move(plugged));
        }(*this, std::move(device)));
}

void Runtime::onDisconnected(int handle) {
    if (!ccid_) return;
    // Every device this runtime gives the CCID transport is a WebUsbDevice: the chooser's, the
    // granted ones, a plugged one and the demo reader's (its fake USBDevice).
    ccid_->removeDeviceIf([handle](const usb::Device& device) {
        return static_cast<const WebUsbDevice&>(device).handle() == handle;
    });
}

void Runtime::onReaderEvent(const reader::Event& event) {
    run(wizard_.readerEvent(event));
}

} // namespace kamusm::platform::web
