// The app in the page: wires the wizard, the screens and the readers together (see runtime.hpp).
#include "kamusm/platform/runtime.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/message.hpp"
#include "kamusm/platform/demo_reader.hpp"
#include "kamusm/platform/web.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace kamusm::platform::web {

namespace {

// A slot watch waits on the interrupt endpoint this long per transfer before asking again.
constexpr usb::Milliseconds slotWatchTimeout{60'000};
// Readers without an interrupt endpoint are asked for their card this often while the Reader
// step waits for one.
constexpr usb::Milliseconds cardPollInterval{1'500};

// clang-format off
EM_JS(char*, kamusm_page_config, (), {
    const text = JSON.stringify(Module.kamusmConfig || {});
    const size = lengthBytesUTF8(text) + 1;
    const pointer = _malloc(size);
    stringToUTF8(text, pointer, size);
    return pointer;
});
EM_JS(void, kamusm_read_clipboard, (), {
    if (!navigator.clipboard || !navigator.clipboard.readText) return;
    navigator.clipboard.readText().then((text) => Module.kamusmPaste(text), () => {});
});
// clang-format on

// A timer as an awaitable: resumes the coroutine after `delay` from the browser's event loop.
struct Sleep {
    usb::Milliseconds delay;
    bool await_ready() const noexcept { return false; }
    void await_suspend(coro::coroutine_handle<> handle) {
        emscripten_async_call(
            [](void* address) { coro::coroutine_handle<>::from_address(address).resume(); },
            handle.address(), static_cast<int>(delay.count()));
    }
    void await_resume() const noexcept {}
};

} // namespace

PageConfig readPageConfig() {
    char* text = kamusm_page_config();
    const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    std::free(text);
    PageConfig config;
    if (!json.is_object()) return config;
    config.apiBase = json.value("apiBase", "");
    config.verificationCode = json.value("verificationCode", "");
    if (json.contains("codeExpiresIn") && json["codeExpiresIn"].is_number_integer())
        config.codeExpiresIn = json["codeExpiresIn"].get<int>();
    config.demoReaderModel = json.value("demoReader", config.demoReaderModel);
    return config;
}

std::int64_t PerformanceClock::nowMilliseconds() {
    return static_cast<std::int64_t>(emscripten_get_now());
}

Runtime::Runtime(PageConfig config)
    : config_(std::move(config)), http_(config_.apiBase), backend_(http_),
      wizard_(backend_, clock_) {
    app_ = std::make_unique<ui::App>(wizard_, clock_, *this);
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
    if (pendingLoss_ && !wizard_.state().busy) noticeLoss(*std::exchange(pendingLoss_, {}));
    lastStep_ = step;
}

void Runtime::pageHidden() {
    releaseAllDevices();
}

wizard::EnvironmentReport Runtime::probeEnvironment() {
    return web::probeEnvironment();
}

void Runtime::chooseReader() {
    run(chooseReaderTask());
}

void Runtime::tryVirtualCard() {
    if (demo_) run(virtualCardTask());
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
}

Task<void> Runtime::chooseReaderTask() {
    std::unique_ptr<WebUsbDevice> device;
    try {
        device = co_await requestReader();
    } catch (const Error&) {
        // No WebUSB: the environment step already says so.
    }
    if (device) co_await adopt(std::move(device));
}

Task<void> Runtime::virtualCardTask() {
    const auto operation = wizard_.state().operation;
    const auto model = sim::readerModelById(config_.demoReaderModel);
    if (!operation || !model) co_return;
    // The enrolment is server work outside the wizard: the screen shows it as opening a reader.
    app_->setReaderStatus(ui::ReaderStatus::Opening);
    int handle = -1;
    try {
        handle = co_await createDemoReader(backend_, *model, demoPinStateFor(*operation));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "kamusm: the virtual card could not be enrolled: %s\n", error.what());
    }
    app_->setReaderStatus(ui::ReaderStatus::NoneChosen);
    if (handle >= 0) co_await adopt(std::make_unique<WebUsbDevice>(handle));
}

// A reader granted on an earlier visit is used without asking; the reader of the last operation
// is used again, unless the step was reached because its card or the reader went away (the
// watch then notices the card coming back).
Task<void> Runtime::enterReaderStep() {
    if (!current()) {
        co_await useGrantedReader();
        co_return;
    }
    if (!wizard_.state().error) co_await useCurrentReader();
    if (current() && watched_ != current()) co_await watchSlots(*current());
}

Task<void> Runtime::useGrantedReader() {
    std::vector<std::unique_ptr<WebUsbDevice>> granted;
    try {
        granted = co_await grantedReaders();
    } catch (const Error&) {
        co_return;
    }
    if (!granted.empty() && !current()) co_await adopt(std::move(granted.front()));
}

Task<void> Runtime::adopt(std::unique_ptr<WebUsbDevice> device) {
    devices_.push_back(std::move(device));
    current_ = static_cast<int>(devices_.size()) - 1;
    WebUsbDevice& reader = *devices_.back();
    co_await useCurrentReader();
    if (current() == &reader && watched_ != &reader) co_await watchSlots(reader);
}

Task<void> Runtime::useCurrentReader() {
    // The screen shows the wizard's work as opening the reader, and its NoCard as a reader
    // without a card.
    if (WebUsbDevice* reader = current()) co_await wizard_.useReader(*reader);
}

Task<void> Runtime::watchSlots(WebUsbDevice& device) {
    if (device.disconnected()) co_return;
    watched_ = &device;
    std::optional<std::uint8_t> interruptIn;
    try {
        const Bytes configuration = co_await usb::readConfigurationDescriptor(device);
        interruptIn =
            ccid::findInterface(usb::parseConfigurationDescriptor(configuration)).interruptIn;
        while (current() == &device && !device.disconnected()) {
            if (interruptIn)
                co_await awaitSlotChange(device, *interruptIn);
            else
                co_await pollForCard();
        }
    } catch (const Error&) {
        // The reader was closed (operation over) or went away; the wizard has said what matters.
    }
    if (watched_ == &device) watched_ = nullptr;
}

// One interrupt transfer: a card put in while the Reader step waits is read at once, a card
// taken out at any other step goes back to the Reader step.
Task<void> Runtime::awaitSlotChange(WebUsbDevice& device, std::uint8_t interruptIn) {
    std::optional<ccid::InterruptMessage> message;
    try {
        message = ccid::InterruptMessage::decode(
            co_await device.transferIn(interruptIn, 64, slotWatchTimeout));
    } catch (const usb::Error& error) {
        if (error.code() != usb::ErrorCode::Timeout) throw;
    } catch (const ccid::Error&) {
        // A garbled interrupt message: wait for the next one.
    }
    if (!message || message->bMessageType != ccid::RDR_to_PC::NotifySlotChange) co_return;
    bool present = false, removed = false;
    const auto slots = static_cast<std::uint8_t>(message->bmSlotICCState.size() * 4);
    for (std::uint8_t slot = 0; slot < slots; ++slot) {
        present = present || message->cardPresent(slot);
        removed = removed || (message->changed(slot) && !message->cardPresent(slot));
    }
    if (present && wizard_.state().step == wizard::Step::Reader)
        co_await useCurrentReader();
    else if (removed)
        noticeLoss(wizard::WizardError::CardRemoved);
}

// Without an interrupt endpoint: ask the reader again now and then while a card is awaited.
Task<void> Runtime::pollForCard() {
    co_await Sleep{cardPollInterval};
    const wizard::WizardState& state = wizard_.state();
    if (state.step == wizard::Step::Reader && !state.busy &&
        state.error == wizard::WizardError::NoCard)
        co_await useCurrentReader();
}

void Runtime::onConnected(int handle) {
    auto device = std::make_unique<WebUsbDevice>(handle);
    const bool wanted =
        wizard_.state().step == wizard::Step::Reader && (!current() || current()->disconnected());
    if (wanted) run(adopt(std::move(device)));
}

void Runtime::onDisconnected(int handle) {
    WebUsbDevice* reader = current();
    if (!reader || reader->handle() != handle) return;
    current_ = -1;
    noticeLoss(wizard::WizardError::ReaderUnplugged);
}

// The wizard ignores events while it waits for the server; the loss must not be forgotten (card
// work under way fails by itself, and the wizard then ignores the repeat).
void Runtime::noticeLoss(wizard::WizardError loss) {
    if (wizard_.state().busy) {
        pendingLoss_ = loss;
        return;
    }
    run(loss == wizard::WizardError::ReaderUnplugged ? wizard_.readerUnplugged()
                                                     : wizard_.cardRemoved());
}

} // namespace kamusm::platform::web
