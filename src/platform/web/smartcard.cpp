// The Web Smart Card bridge's C++ half: each pcsc::Context / pcsc::Connection call starts its
// Promise in smartcard.js and awaits it, settling at once when its task is cancelled; the
// dictionaries travel as JSON, and rejections (SmartCardError.responseCode or the DOMException's
// name) become pcsc::Error codes here, by table.
#include "kamusm/platform/smartcard.hpp"

#include "kamusm/base/cancel.hpp"
#include "kamusm/pcsc/dictionaries.hpp"
#include "kamusm/platform/promise.hpp"

#include <emscripten/emscripten.h>

#include <array>
#include <string_view>
#include <utility>

extern "C" {
bool kamusm_sc_supported();
void kamusm_sc_forget(int handle);
void kamusm_sc_release_all();
void kamusm_sc_abort(int id);
void kamusm_sc_establish(int id, int timeoutMs, int api);
void kamusm_helper_detect(int id, int timeoutMs, int checkingMs);
int kamusm_helper_present();
void kamusm_sc_list_readers(int id, int handle, int timeoutMs);
void kamusm_sc_get_status_change(int id, int handle, const char* statesJson, int apiTimeoutMs,
                                 int timeoutMs);
void kamusm_sc_connect(int id, int handle, const char* readerName, const char* accessMode,
                       const char* protocolsJson, int timeoutMs);
void kamusm_sc_transmit(int id, int handle, const std::uint8_t* data, int size, int timeoutMs);
void kamusm_sc_begin_transaction(int id, int handle, int timeoutMs);
void kamusm_sc_end_transaction(int id, int handle, const char* disposition, int timeoutMs);
void kamusm_sc_status(int id, int handle, int timeoutMs);
void kamusm_sc_disconnect(int id, int handle, const char* disposition, int timeoutMs);
}

namespace kamusm::platform::web {

namespace {

using json::Value;
using pcsc::ErrorCode;
using Kind = PromiseOutcome::Kind;

// The API has no timeouts but getStatusChange's; a PC/SC stack that never answers must still not
// hang the wizard. A card's slowest command (an RSA signature) takes seconds; BeginTransaction
// waits while another program holds the card. connect has none: it may wait on the user's
// permission prompt (the task's cancellation still ends that wait).
constexpr int callTimeoutMs = 15'000;
constexpr int transmitTimeoutMs = 60'000;
constexpr int beginTransactionTimeoutMs = 30'000;
constexpr int noTimeout = 0;

// Names the API rejects with that pcsc::errorCodeFor does not know (it knows every
// SmartCardResponseCode of error.hpp and the DOMExceptions NotAllowedError, SecurityError,
// NotSupportedError, TimeoutError and InvalidStateError, and the helper's own names).
constexpr std::array<std::pair<std::string_view, ErrorCode>, 4> otherRejections{{
    {"unknown-reader", ErrorCode::ReaderUnavailable}, // SCARD_E_UNKNOWN_READER (newer spec)
    {"AbortError", ErrorCode::SystemCancelled},       // SCARD_P_SHUTDOWN, or a context released
    {"UnknownError", ErrorCode::UnknownError},        // SCARD_F_*, SCARD_E_UNEXPECTED …
    {"TypeError", ErrorCode::UnknownError},           // SCARD_E_INVALID_PARAMETER from a driver
}};

ErrorCode codeFor(std::string_view name) {
    if (const std::optional<ErrorCode> code = pcsc::errorCodeFor(name)) return *code;
    for (const auto& [other, code] : otherRejections)
        if (other == name) return code;
    return ErrorCode::UnknownError;
}

// What the JS half resolved with, JSON of that kind; anything else is the stack's failure.
Value parsed(std::string_view text, const char* what, Value::Kind kind) {
    std::optional<Value> value = json::parse(text);
    if (!value || value->kind() != kind)
        throw pcsc::Error(ErrorCode::UnknownError, std::string(what) + ": malformed answer");
    return std::move(*value);
}

std::string statesJson(const std::vector<pcsc::ReaderStateIn>& states) {
    Value out = Value::array();
    for (const pcsc::ReaderStateIn& state : states)
        out.push(pcsc::toJson(state));
    return out.dump();
}

std::vector<pcsc::ReaderStateOut> statesOut(const std::string& text) {
    std::vector<pcsc::ReaderStateOut> states;
    const Value list = parsed(text, "getStatusChange", Value::Kind::Array);
    for (const Value& state : list.items())
        states.push_back(pcsc::readerStateOut(state));
    return states;
}

// A JsPromise that its task's cancellation also settles: the coroutine resumes at once with the
// cancellation's reason, and the JS call is told to give up (getStatusChange's AbortSignal is
// aborted; a call not started yet is never started).
class CancellablePromise {
public:
    explicit CancellablePromise(std::function<void(int id)> start)
        : promise_([this, start = std::move(start)](int id) {
              id_ = id;
              start(id);
          }) {}

    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> waiting) {
        if (!wait_.arm(waiting, [this] { cancel(); })) return false;
        return promise_.await_suspend(waiting);
    }
    PromiseOutcome await_resume() {
        wait_.disarm();
        wait_.throwIfCancelled();
        return promise_.await_resume();
    }

private:
    // The JS half gives up first (it reports nothing more for the id, and the context is free
    // again for a status-change wait), then the coroutine resumes, which may destroy this
    // awaiter.
    void cancel() {
        kamusm_sc_abort(id_);
        promise_.settle({Kind::Rejected, 0, {}, "AbortError: cancelled"});
    }

    JsPromise promise_;
    int id_ = 0;
    CancellableWait wait_;
};

// Awaits one call; a rejection or a timeout becomes a pcsc::Error naming the call.
Task<PromiseOutcome> settle(std::string_view call, std::function<void(int id)> start,
                            int timeoutMs) {
    CancellablePromise promise(std::move(start));
    PromiseOutcome outcome = co_await promise;
    if (outcome.kind == Kind::TimedOut)
        throw pcsc::Error(ErrorCode::Timeout, std::string(call) + ": no answer within " +
                                                  std::to_string(timeoutMs) + " ms");
    if (outcome.kind == Kind::Rejected)
        throw pcsc::Error(codeFor(outcome.errorName()), std::string(call) + ": " + outcome.text);
    co_return outcome;
}

std::string protocolsJson(const std::vector<pcsc::Protocol>& preferred) {
    Value out = Value::array();
    for (pcsc::Protocol protocol : preferred)
        out.push(pcsc::nameOf(protocol));
    return out.dump();
}

} // namespace

WebSmartCardContext::WebSmartCardContext(int handle) : handle_(handle) {}

WebSmartCardContext::~WebSmartCardContext() {
    kamusm_sc_forget(handle_);
}

Task<std::vector<std::string>> WebSmartCardContext::listReaders() {
    const PromiseOutcome outcome = co_await settle(
        "listReaders", [&](int id) { kamusm_sc_list_readers(id, handle_, callTimeoutMs); },
        callTimeoutMs);
    std::vector<std::string> readers;
    const Value names = parsed(outcome.text, "listReaders", Value::Kind::Array);
    for (const Value& name : names.items()) {
        if (!name.string()) throw pcsc::Error(ErrorCode::UnknownError, "listReaders: not a name");
        readers.emplace_back(*name.string());
    }
    co_return readers;
}

Task<std::vector<pcsc::ReaderStateOut>>
WebSmartCardContext::getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                                     std::optional<pcsc::Milliseconds> timeout) {
    const std::string states = statesJson(readerStates);
    // The API's own timeout is PC/SC's (zero: the states as they are now); the bridge waits a
    // call's time longer before it gives up on a stack that does not answer at all.
    const int apiTimeoutMs = timeout ? static_cast<int>(timeout->count()) : -1;
    const int timeoutMs = timeout ? apiTimeoutMs + callTimeoutMs : noTimeout;
    const PromiseOutcome outcome = co_await settle(
        "getStatusChange",
        [&](int id) {
            kamusm_sc_get_status_change(id, handle_, states.c_str(), apiTimeoutMs, timeoutMs);
        },
        timeoutMs);
    co_return statesOut(outcome.text);
}

Task<pcsc::ConnectResult> WebSmartCardContext::connect(const std::string& readerName,
                                                       pcsc::AccessMode accessMode,
                                                       std::vector<pcsc::Protocol> preferred) {
    const std::string mode(pcsc::nameOf(accessMode));
    const std::string wanted = protocolsJson(preferred);
    const PromiseOutcome outcome = co_await settle(
        "connect",
        [&](int id) {
            kamusm_sc_connect(id, handle_, readerName.c_str(), mode.c_str(), wanted.c_str(),
                              noTimeout);
        },
        noTimeout);
    co_return pcsc::ConnectResult{std::make_unique<WebSmartCardConnection>(outcome.number),
                                  pcsc::protocolNamed(outcome.text)};
}

WebSmartCardConnection::WebSmartCardConnection(int handle) : handle_(handle) {}

WebSmartCardConnection::~WebSmartCardConnection() {
    kamusm_sc_forget(handle_);
}

Task<Bytes> WebSmartCardConnection::transmit(ByteView command) {
    PromiseOutcome outcome = co_await settle(
        "transmit",
        [&](int id) {
            kamusm_sc_transmit(id, handle_, command.data(), static_cast<int>(command.size()),
                               transmitTimeoutMs);
        },
        transmitTimeoutMs);
    co_return std::move(outcome.bytes);
}

Task<void> WebSmartCardConnection::beginTransaction() {
    co_await settle(
        "startTransaction",
        [&](int id) { kamusm_sc_begin_transaction(id, handle_, beginTransactionTimeoutMs); },
        beginTransactionTimeoutMs);
}

Task<void> WebSmartCardConnection::endTransaction(pcsc::Disposition disposition) {
    const std::string value(pcsc::nameOf(disposition));
    co_await settle(
        "endTransaction",
        [&](int id) { kamusm_sc_end_transaction(id, handle_, value.c_str(), callTimeoutMs); },
        callTimeoutMs);
}

Task<pcsc::ConnectionStatus> WebSmartCardConnection::status() {
    const PromiseOutcome outcome = co_await settle(
        "status", [&](int id) { kamusm_sc_status(id, handle_, callTimeoutMs); }, callTimeoutMs);
    co_return pcsc::connectionStatus(parsed(outcome.text, "status", Value::Kind::Object));
}

Task<void> WebSmartCardConnection::disconnect(pcsc::Disposition disposition) {
    const std::string value(pcsc::nameOf(disposition));
    co_await settle(
        "disconnect",
        [&](int id) { kamusm_sc_disconnect(id, handle_, value.c_str(), callTimeoutMs); },
        callTimeoutMs);
}

bool smartCardSupported() {
    return kamusm_sc_supported();
}

void releaseAllSmartCards() {
    kamusm_sc_release_all();
}

bool helperAnnounced() {
    return kamusm_helper_present() != 0;
}

Task<bool> helperPresent() {
    // The extension's content script answers a probe within milliseconds when it is there; its
    // check of the origin (a policy, the demo server) takes up to a second or two.
    constexpr int detectTimeoutMs = 300;
    constexpr int checkingTimeoutMs = 5000;
    const PromiseOutcome outcome = co_await settle(
        "helper", [](int id) { kamusm_helper_detect(id, detectTimeoutMs, checkingTimeoutMs); },
        noTimeout);
    co_return outcome.number != 0;
}

Task<std::unique_ptr<WebSmartCardContext>> establishSmartCardContext(SmartCardApi api) {
    const bool helper = api == SmartCardApi::Helper;
    if (!helper && !smartCardSupported())
        throw pcsc::Error(ErrorCode::Unsupported,
                          "this browser has no Web Smart Card API (navigator.smartCard): it is "
                          "only in Isolated Web Apps");
    if (helper && !helperAnnounced())
        throw pcsc::Error(ErrorCode::Unsupported, "the KamuSM extension is not in this browser");
    const PromiseOutcome outcome = co_await settle(
        "establishContext",
        [helper](int id) { kamusm_sc_establish(id, callTimeoutMs, helper ? 1 : 0); },
        callTimeoutMs);
    co_return std::make_unique<WebSmartCardContext>(outcome.number);
}

} // namespace kamusm::platform::web
