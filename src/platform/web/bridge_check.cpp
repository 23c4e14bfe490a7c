// The browser bridges' check, run under node by tests/build-wasm.sh against the fake
// navigator.usb and fetch of tests/wasm/bridge_check_pre.js: WebUSB rejections and transfer
// statuses as usb::Error codes, timeouts (a late transferIn reply goes to the next transferIn),
// disconnects, device events, fetch's timeout and retry rules, and the demo reader carrying a
// real CCID session through WebUsbDevice.
#include "kamusm/backend/base64.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/iso7816/channel.hpp"
#include "kamusm/platform/demo_reader.hpp"
#include "kamusm/platform/fetch.hpp"
#include "kamusm/platform/promise.hpp"
#include "kamusm/platform/webusb.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

using namespace kamusm;
using namespace kamusm::platform::web;
using usb::ErrorCode;

namespace {

// clang-format off
// Runs `code` with the fakes as `fake` and the WebUSB device table as `usb`; returns String(its
// result), or the error it threw (a JS exception must not unwind through the coroutines).
EM_JS(char*, run_js, (const char* code), {
    let result;
    try {
        result = String(new Function('fake', 'usb', UTF8ToString(code))(bridgeFake, kamusmUsb));
    } catch (error) {
        result = 'JS error: ' + error;
    }
    const size = lengthBytesUTF8(result) + 1;
    const pointer = _malloc(size);
    stringToUTF8(result, pointer, size);
    return pointer;
});
// Settles request `id` when the Promise `code` returns settles: Resolved with the JSON of its
// value, or Rejected with the error's message.
EM_JS(void, await_js, (int id, const char* code), {
    const promise = Promise.resolve().then(
        () => new Function('fake', 'Module', UTF8ToString(code))(bridgeFake, Module));
    promise.then((value) => kamusmPromise.settle(id, 0, 0, null, JSON.stringify(value)),
                 (error) => kamusmPromise.settle(id, 1, 0, null, error.message));
});
EM_JS(void, sleep_js, (int id, int milliseconds), {
    setTimeout(() => kamusmPromise.settle(id, 0, 0, null, ""), milliseconds);
});
// clang-format on

int failures = 0;

void check(bool condition, const std::string& what) {
    std::printf("%s %s\n", condition ? "ok  " : "FAIL", what.c_str());
    if (!condition) ++failures;
}

std::string js(const std::string& code) {
    char* text = run_js(code.c_str());
    std::string result = text;
    std::free(text);
    return result;
}

Task<PromiseOutcome> awaitJs(std::string code) {
    JsPromise promise([&](int id) { await_js(id, code.c_str()); });
    co_return co_await promise;
}

Task<void> sleep(int milliseconds) {
    JsPromise promise([&](int id) { sleep_js(id, milliseconds); });
    co_await promise;
}

template <typename T> Task<std::optional<ErrorCode>> usbFailure(Task<T> task) {
    try {
        co_await task;
    } catch (const usb::Error& error) {
        co_return error.code();
    }
    co_return std::nullopt;
}

template <typename T> Task<std::optional<backend::ErrorCode>> fetchFailure(Task<T> task) {
    try {
        co_await task;
    } catch (const backend::Error& error) {
        co_return error.code();
    }
    co_return std::nullopt;
}

// The one reader getDevices() returns after `setup` (JS) made `fake.usb.granted`.
Task<std::unique_ptr<WebUsbDevice>> grantedDevice(const std::string& script) {
    js("fake.usb.granted = [fake.device(" + script + ")]; fake.current = fake.usb.granted[0];");
    auto readers = co_await grantedReaders();
    co_return readers.empty() ? nullptr : std::move(readers.front());
}

Task<void> chooser() {
    check(!co_await requestReader(), "requestDevice NotFoundError (chooser closed) gives nullptr");
    check(js("return JSON.stringify(fake.usb.filters)") ==
              R"([{"classCode":11},{"productId":20753,"vendorId":1254}])",
          "filters: class 0x0B and the known vendor-class reader (SCR331-DI) by VID/PID");
    js("fake.usb.chosen = fake.device()");
    auto chosen = co_await requestReader();
    const usb::DeviceInfo info = chosen ? chosen->info() : usb::DeviceInfo{};
    check(info.idVendor == 0x072F && info.idProduct == 0xB100 && info.bcdDevice == 0x0216 &&
              info.manufacturer == "ACS" && info.product == "ACR39U ICC Reader" &&
              info.serialNumber == "R1",
          "info(): VID, PID, bcdDevice from deviceVersion*, names, serial number");
    js("fake.usb.chosen = null; fake.hideUsb()");
    check(co_await usbFailure(requestReader()) == ErrorCode::Unsupported,
          "no navigator.usb: Unsupported");
    check(co_await usbFailure(grantedReaders()) == ErrorCode::Unsupported,
          "no navigator.usb: grantedReaders Unsupported");
    js("fake.showUsb()");
}

Task<void> granted() {
    js("fake.usb.granted = [fake.device(), fake.device({}, {vendorId: 0x04E6, productId: 0x5111, "
       "interfaceClass: 0xFF}), fake.device({}, {vendorId: 0x1234, interfaceClass: 0x03}), "
       "fake.device({}, {vendorId: 0x04E6, productId: 0x9999, interfaceClass: 0xFF})]");
    const auto readers = co_await grantedReaders();
    check(readers.size() == 2 && readers[1]->info().idProduct == 0x5111,
          "getDevices: the CCID-class and the known vendor-class reader, not HID or others");
}

struct RejectionCase {
    const char* script;
    int call; // 0 open, 1 claimInterface, 2 selectConfiguration, 3 transferOut, 4 transferIn
    ErrorCode expected;
    const char* what;
};

Task<std::optional<ErrorCode>> callFailure(WebUsbDevice& device, int call) {
    const Bytes data{1, 2, 3};
    switch (call) {
    case 0:
        co_return co_await usbFailure(device.open());
    case 1:
        co_return co_await usbFailure(device.claimInterface(0));
    case 2:
        co_return co_await usbFailure(device.selectConfiguration(1));
    case 3:
        co_return co_await usbFailure(device.transferOut(2, data, usb::Milliseconds(500)));
    default:
        co_return co_await usbFailure(device.transferIn(2, 64, usb::Milliseconds(500)));
    }
}

Task<void> rejections() {
    const RejectionCase cases[] = {
        {"{open: () => fake.reject('SecurityError')}", 0, ErrorCode::AccessDenied,
         "open SecurityError: AccessDenied"},
        {"{open: () => fake.reject('NetworkError')}", 0, ErrorCode::Busy,
         "open NetworkError: Busy"},
        {"{claimInterface: () => fake.reject('SecurityError')}", 1, ErrorCode::AccessDenied,
         "claimInterface SecurityError (protected class): AccessDenied"},
        {"{claimInterface: () => fake.reject('NetworkError')}", 1, ErrorCode::Busy,
         "claimInterface NetworkError (another driver): Busy"},
        {"{selectConfiguration: () => fake.reject('NotFoundError')}", 2, ErrorCode::Disconnected,
         "NotFoundError: Disconnected"},
        {"{transferOut: () => fake.reject('NetworkError')}", 3, ErrorCode::Io,
         "transferOut NetworkError: Io"},
        {"{transferOut: () => fake.reject('InvalidStateError')}", 3, ErrorCode::Io,
         "InvalidStateError: Io"},
        {"{transferOut: () => fake.reject('AbortError')}", 3, ErrorCode::Io,
         "AbortError on a connected device: Io"},
        {"{transferOut: () => { throw new TypeError('bad'); }}", 3, ErrorCode::Io,
         "TypeError thrown synchronously: Io"},
        {"{transferOut: () => Promise.resolve({bytesWritten: 0, status: 'stall'})}", 3,
         ErrorCode::Stall, "transferOut status stall: Stall"},
        {"{transferIn: () => Promise.resolve(fake.inResult([], 'stall'))}", 4, ErrorCode::Stall,
         "transferIn status stall: Stall"},
        {"{transferIn: () => Promise.resolve(fake.inResult([1, 2], 'babble'))}", 4, ErrorCode::Io,
         "transferIn status babble: Io"},
    };
    for (const RejectionCase& test : cases) {
        auto device = co_await grantedDevice(test.script);
        check(device && co_await callFailure(*device, test.call) == test.expected, test.what);
    }
    auto device = co_await grantedDevice("{controlTransferIn: (setup, length) => "
                                         "Promise.resolve(fake.inResult([setup.request, length, "
                                         "setup.requestType === 'class' ? 1 : 0]))}");
    const Bytes control = co_await device->controlTransferIn(
        {usb::RequestType::Class, usb::Recipient::Interface, 0x03, 0, 0}, 9,
        usb::Milliseconds(500));
    check(control == Bytes{0x03, 9, 1}, "controlTransferIn: setup and data carried");
    const Bytes out{0x6F, 0, 0};
    co_await device->transferOut(2, out, usb::Milliseconds(500));
    check(js("return fake.current.calls.transferOut") == "1", "transferOut reaches the device");
}

Task<void> timeouts() {
    auto device = co_await grantedDevice("{transferIn: () => fake.deferred()}");
    js("fake.deferreds.length = 0");
    double start = emscripten_get_now();
    check(co_await usbFailure(device->transferIn(2, 64, usb::Milliseconds(120))) ==
              ErrorCode::Timeout,
          "a transferIn that never settles fails Timeout");
    const double waited = emscripten_get_now() - start;
    check(waited >= 115 && waited < 1000,
          "... after its timeout (" + std::to_string(static_cast<int>(waited)) + " ms)");
    // The late reply arrives while the next transferIn waits: it gets that reply.
    js("setTimeout(() => fake.deferreds[0].resolve(fake.inResult([0x80, 1, 2])), 30)");
    const Bytes late = co_await device->transferIn(2, 64, usb::Milliseconds(1000));
    check(late == Bytes{0x80, 1, 2} && js("return fake.current.calls.transferIn") == "1",
          "the next transferIn takes the pending transfer's late reply (no second transfer)");
    // The late reply arrives before anyone asks: it is kept for the next transferIn.
    check(co_await usbFailure(device->transferIn(2, 64, usb::Milliseconds(50))) ==
              ErrorCode::Timeout,
          "second transfer times out");
    js("fake.deferreds[1].resolve(fake.inResult([0x81]))");
    co_await sleep(20);
    check(co_await device->transferIn(2, 64, usb::Milliseconds(1000)) == Bytes{0x81} &&
              js("return fake.current.calls.transferIn") == "2",
          "a reply that came while nobody waited goes to the next transferIn");
    js("fake.current.transferIn = () => Promise.resolve(fake.inResult([0x82]))");
    check(co_await device->transferIn(2, 64, usb::Milliseconds(1000)) == Bytes{0x82},
          "then transfers start afresh");
    auto control = co_await grantedDevice("{controlTransferIn: () => fake.never()}");
    check(co_await usbFailure(control->controlTransferIn({}, 18, usb::Milliseconds(50))) ==
              ErrorCode::Timeout,
          "a control transfer that never settles: Timeout");
}

Task<void> disconnects() {
    static std::vector<int> connected, disconnected;
    setUsbEvents({[](int handle) { connected.push_back(handle); },
                  [](int handle) { disconnected.push_back(handle); }});
    auto device = co_await grantedDevice("{transferIn: () => fake.never()}");
    static std::optional<ErrorCode> waitingResult;
    static bool waitingDone = false;
    spawn(
        [](WebUsbDevice& reader) -> Task<void> {
            waitingResult = co_await usbFailure(reader.transferIn(3, 8, usb::Milliseconds(10'000)));
            waitingDone = true;
        }(*device),
        [](std::exception_ptr) {});
    co_await sleep(20);
    const double start = emscripten_get_now();
    js("fake.usb.fire('disconnect', fake.current)");
    co_await sleep(0);
    check(waitingDone && waitingResult == ErrorCode::Disconnected &&
              emscripten_get_now() - start < 100,
          "disconnect settles a waiting transfer with Disconnected at once");
    check(device->disconnected() && disconnected.size() == 1 &&
              disconnected.front() == device->handle(),
          "the disconnect callback names the handle; disconnected() is true");
    check(co_await usbFailure(device->open()) == ErrorCode::Disconnected &&
              js("return fake.current.calls.open") == "0",
          "later calls fail Disconnected without reaching the device");
    js("fake.usb.fire('connect', fake.device({}, {vendorId: 0x1234, interfaceClass: 3}))");
    js("fake.usb.fire('connect', fake.device({}, {productId: 0xB10F}))");
    check(connected.size() == 1 && WebUsbDevice(connected.front()).info().idProduct == 0xB10F,
          "connect: a reader gets a new handle, other devices are ignored");

    auto opened = co_await grantedDevice("");
    co_await opened->open();
    auto idle = co_await grantedDevice("");
    js("fake.idle = fake.current");
    releaseAllDevices();
    co_await sleep(0);
    check(js("return fake.usb.granted.length === 1 && fake.idle.calls.close") == "0",
          "releaseAllDevices leaves unopened devices alone");
    (void)idle;
    js("fake.usb.granted = []");
}

Task<void> fetches() {
    FetchHttpClient http("https://api.example/", std::chrono::milliseconds(150));
    js("fake.fetchAnswers.push(() => Promise.resolve(fake.response(201, '{\"ok\":true}', "
       "{'Content-Type': 'application/json', 'X-Request-Id': 'r1'})))");
    backend::HttpRequest post{
        "POST", "/api/v1/sessions", R"({"code":"1"})", {{"content-type", "application/json"}}};
    const backend::HttpResponse response = co_await http.send(post);
    check(response.status == 201 && response.body == R"({"ok":true})" &&
              response.headers.at("content-type") == "application/json" &&
              response.headers.at("x-request-id") == "r1",
          "fetch: status, body and headers with lower-case names");
    check(
        js("const r = fake.fetchLog[0]; return [r.url, r.init.method, r.init.credentials, "
           "r.init.cache, r.init.body, r.init.headers['content-type'], "
           "r.init.signal instanceof AbortSignal].join(' ')") ==
            R"(https://api.example/api/v1/sessions POST same-origin no-store {"code":"1"} application/json true)",
        "fetch: base URL + path, method, same-origin credentials, no-store, body, headers");
    js("fake.fetchAnswers.push(() => Promise.resolve(fake.response(503, 'busy')))");
    check((co_await http.send({"GET", "/health", "", {}})).status == 503,
          "an error status is an answer, not a failure");

    js("fake.fetchLog.length = 0; fake.fetchAnswers.push((url, init) => new Promise((resolve, "
       "reject) => init.signal.addEventListener('abort', () => reject(new "
       "DOMException('aborted', 'AbortError')))))");
    const double start = emscripten_get_now();
    check(co_await fetchFailure(http.send(post)) == backend::ErrorCode::Timeout,
          "a fetch that never answers: Timeout");
    const double waited = emscripten_get_now() - start;
    check(waited >= 145 && waited < 1000 &&
              js("return fake.fetchLog[0].init.signal.aborted") == "true",
          "... after the timeout, and the request is aborted (" +
              std::to_string(static_cast<int>(waited)) + " ms)");

    js("fake.fetchLog.length = 0; fake.fetchAnswers.push(() => Promise.reject(new "
       "TypeError('Failed to fetch')), () => Promise.resolve(fake.response(200, 'again')))");
    const backend::HttpResponse retried = co_await http.send({"GET", "/demo/outbox", "", {}});
    check(retried.body == "again" && js("return fake.fetchLog.length") == "2",
          "GET after a network failure is retried once");
    js("fake.fetchLog.length = 0");
    check(co_await fetchFailure(http.send({"GET", "/demo/outbox", "", {}})) ==
                  backend::ErrorCode::Network &&
              js("return fake.fetchLog.length") == "2",
          "GET failing twice: Network");
    js("fake.fetchLog.length = 0");
    check(co_await fetchFailure(http.send(post)) == backend::ErrorCode::Network &&
              js("return fake.fetchLog.length") == "1",
          "POST is never retried: Network after one try");
}

std::string hexOf(ByteView bytes) {
    return toHex(bytes);
}

// The demo enrolment (POST /demo/cards) answered with the test fixtures.
class EnrolmentHttp : public backend::HttpClient {
public:
    Task<backend::HttpResponse> send(backend::HttpRequest request) override {
        co_return backend::HttpResponse{
            request.path == "/demo/cards" ? 201 : 404, enrolmentJson(), {}};
    }
    static std::string enrolmentJson() {
        return nlohmann::json{{"certificate", backend::toBase64(sim::demoSigningCertificate())},
                              {"private_key", backend::toBase64(sim::demoSigningKey())},
                              {"ca_certificate", backend::toBase64(sim::demoCaCertificate())}}
            .dump();
    }
};

Task<std::uint16_t> verify(WebUsbDevice& device, std::string_view pin) {
    auto reader = co_await ccid::Reader::open(device);
    auto session = co_await reader->connect(0);
    const iso7816::ResponseApdu answer = co_await iso7816::transmit(
        *session, {0x00, 0x20, 0x00, 0x81, Bytes(pin.begin(), pin.end()), {}});
    co_await session->powerOff();
    co_await reader->close();
    co_return answer.sw();
}

Task<void> demoReaders() {
    EnrolmentHttp http;
    backend::BackendClient backend(http);
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        const int handle = co_await createDemoReader(backend, model.model, sim::DemoPinState::Set);
        WebUsbDevice device(handle);
        check(device.info().product == model.name && co_await verify(device, "123456") == 0x9000,
              "demo " + std::string(model.id) +
                  ": Reader::open, connect, VERIFY 9000 through WebUsbDevice");
    }
    const int blocked = co_await createDemoReader(
        backend, sim::ReaderModel::Acr39u, sim::DemoPinState::Blocked, sim::CardProtocol::T0);
    WebUsbDevice blockedDevice(blocked);
    check(co_await verify(blockedDevice, "123456") == 0x6983,
          "demo T=0 card with a blocked PIN answers 6983");

    const int handle =
        co_await createDemoReader(backend, sim::ReaderModel::Acr39u, sim::DemoPinState::NotSet);
    WebUsbDevice device(handle);
    const std::string fake = "usb.entries.get(" + std::to_string(handle) + ").device";
    auto reader = co_await ccid::Reader::open(device);
    const std::uint8_t interrupt = *reader->interface().interruptIn;
    check(co_await usbFailure(device.transferIn(interrupt, 8, usb::Milliseconds(150))) ==
              ErrorCode::Timeout,
          "demo interrupt-IN with nothing to report waits (the bridge times out)");
    js(fake + ".removeCard()");
    const Bytes removed = co_await device.transferIn(interrupt, 8, usb::Milliseconds(1000));
    const auto removedMessage = ccid::InterruptMessage::decode(removed);
    check(!removedMessage.cardPresent(0) && removedMessage.changed(0),
          "removeCard: the waiting interrupt transfer reports the slot change (" + hexOf(removed) +
              ")");
    js(fake + ".insertCard()");
    const auto inserted = ccid::InterruptMessage::decode(
        co_await device.transferIn(interrupt, 8, usb::Milliseconds(1000)));
    check(inserted.cardPresent(0) && inserted.changed(0), "insertCard: card present again");
    auto session = co_await reader->connect(0);
    const auto status = co_await iso7816::transmit(
        *session, {0x00, 0x20, 0x00, 0x81, Bytes{'1', '2', '3', '4', '5', '6'}, {}});
    check(status.sw() == 0x6984 || status.sw() == 0x6A88 || (status.sw() & 0xFF00) == 0x6900,
          "the same card back in: no PIN set yet (" + hexOf(status.encode()) + ")");

    static std::optional<ErrorCode> waitingResult;
    spawn(
        [](WebUsbDevice& reader, std::uint8_t endpoint) -> Task<void> {
            waitingResult =
                co_await usbFailure(reader.transferIn(endpoint, 8, usb::Milliseconds(5000)));
        }(device, interrupt),
        [](std::exception_ptr) {});
    co_await sleep(80);
    js(fake + ".unplug()");
    co_await sleep(10);
    check(waitingResult == ErrorCode::Disconnected, "unplug: the waiting interrupt read fails");
    check(co_await usbFailure(device.transferOut(reader->interface().bulkOut, Bytes{0x65},
                                                 usb::Milliseconds(500))) ==
              ErrorCode::Disconnected,
          "unplug: later calls fail Disconnected (NotFoundError)");
}

Task<void> pageHook() {
    js("fake.fetchAnswers.push(() => Promise.resolve(fake.response(201, '" +
       EnrolmentHttp::enrolmentJson() + "')))");
    const PromiseOutcome made =
        co_await awaitJs("return Module.kamusmDemo.createReader({model: 'twoslot', pin: 'blocked'})"
                         ".then((device) => device.open().then(() => device))");
    const auto device = nlohmann::json::parse(made.text, nullptr, false);
    check(made.kind == PromiseOutcome::Kind::Resolved && device.is_object() &&
              device.value("vendorId", 0) == 0x04E6 && device.value("opened", false) &&
              device["configuration"]["interfaces"][0]["alternate"]["interfaceClass"] == 0xFF &&
              js("return fake.fetchLog.at(-1).url") == "/demo/cards",
          "Module.kamusmDemo.createReader: enrols at the page's origin and gives the fake "
          "USBDevice");
    js("fake.fetchAnswers.push(() => Promise.resolve(fake.response(404, "
       "'{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}')))");
    const PromiseOutcome refused =
        co_await awaitJs("return Module.kamusmDemo.createReader({model: 'acr39u'})");
    check(refused.kind == PromiseOutcome::Kind::Rejected &&
              refused.text.find("the demo reader could not be created: backend") == 0,
          "createReader rejects clearly when enrolment fails: " + refused.text);
    const PromiseOutcome unknown =
        co_await awaitJs("return Module.kamusmDemo.createReader({model: 'nope'})");
    check(unknown.kind == PromiseOutcome::Kind::Rejected &&
              unknown.text.find("unknown reader model \"nope\"") != std::string::npos,
          "createReader rejects an unknown model: " + unknown.text);
}

Task<void> all() {
    co_await chooser();
    co_await granted();
    co_await rejections();
    co_await timeouts();
    co_await disconnects();
    co_await fetches();
    co_await demoReaders();
    co_await pageHook();
}

// Ends the process from the event loop, outside any wasm frame.
void finish(int code) {
    static int exitCode;
    exitCode = code;
    emscripten_async_call([](void*) { emscripten_force_exit(exitCode); }, nullptr, 0);
}

} // namespace

int main() {
    spawn(all(), [](std::exception_ptr failure) {
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& error) {
                check(false, std::string("unexpected exception: ") + error.what());
            }
        }
        std::printf("%d failures\n", failures);
        finish(failures == 0 ? 0 : 1);
    });
    // A check that stops waiting (a Promise nobody settles) must fail, not pass by silence.
    emscripten_async_call(
        [](void*) {
            check(false, "the check finished within 30 s");
            emscripten_force_exit(1);
        },
        nullptr, 30'000);
    emscripten_exit_with_live_runtime();
}
