// The browser bridges' check, run under node by tests/build-wasm.sh against the fake
// navigator.usb and fetch of tests/wasm/bridge_check_pre.js and the fake navigator.smartCard of
// tests/browser/fake-smartcard.js: WebUSB rejections and transfer statuses as usb::Error codes,
// timeouts (a late transferIn reply goes to the next transferIn), disconnects, device events,
// fetch's timeout and retry rules, the demo reader carrying a real CCID session through
// WebUsbDevice; the Web Smart Card bridge's contexts, status changes and their cancellation,
// connections, transactions, dispositions, every error mapping, slow transmits and releases,
// and the demo card the fake is backed by.
#include "kamusm/backend/base64.hpp"
#include "kamusm/base/cancel.hpp"
#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/reader.hpp"
#include "kamusm/iso7816/channel.hpp"
#include "kamusm/platform/demo_module.hpp"
#include "kamusm/platform/fetch.hpp"
#include "kamusm/platform/promise.hpp"
#include "kamusm/platform/smartcard.hpp"
#include "kamusm/platform/webusb.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"

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
// Runs `code` with the fakes as `fake`, the WebUSB device table as `usb` and the Web Smart Card
// bridge's table as `sc` (the fake navigator.smartCard's hooks are `__fakeSmartCard`); returns
// String(its result), or the error it threw (a JS exception must not unwind through the
// coroutines).
EM_JS(char*, run_js, (const char* code), {
    let result;
    try {
        result = String(new Function('fake', 'usb', 'sc', UTF8ToString(code))(bridgeFake, kamusmUsb,
                                                                               kamusmSmartCard));
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
// How often the bytes of the JSON array `needle` occur in the whole wasm heap.
EM_JS(int, heap_count, (const char* needle), {
    const bytes = JSON.parse(UTF8ToString(needle));
    let found = 0;
    for (let at = HEAPU8.indexOf(bytes[0]); at >= 0; at = HEAPU8.indexOf(bytes[0], at + 1)) {
        let i = 1;
        while (i < bytes.length && HEAPU8[at + i] === bytes[i]) ++i;
        if (i === bytes.length) ++found;
    }
    return found;
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
              R"([{"classCode":11},{"vendorId":1254,"productId":20753}])",
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
        {"{open: () => fake.reject('SecurityError')}", 0, ErrorCode::OpenDenied,
         "open SecurityError (the system's access rights or driver): OpenDenied"},
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
std::string enrolmentJson() {
    return nlohmann::json{{"certificate", backend::toBase64(sim::demoSigningCertificate())},
                          {"private_key", backend::toBase64(sim::demoSigningKey())},
                          {"ca_certificate", backend::toBase64(sim::demoCaCertificate())}}
        .dump();
}

void answerEnrolment() {
    js("fake.fetchAnswers.push(() => Promise.resolve(fake.response(201, '" + enrolmentJson() +
       "')))");
}

// A virtual reader as the app gets one: from the demo module (here compiled in), registered in
// the WebUSB device table, its card enrolled through the fake fetch.
Task<int> enrolledDemoReader(std::string_view model, backend::Operation operation,
                             pcsc::Protocol protocol = pcsc::Protocol::T1) {
    answerEnrolment();
    co_return co_await createDemoReader(model, operation, protocol);
}

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
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        const int handle = co_await enrolledDemoReader(model.id, backend::Operation::Change);
        WebUsbDevice device(handle);
        check(device.info().product == model.name && co_await verify(device, "123456") == 0x9000,
              "demo " + std::string(model.id) +
                  ": Reader::open, connect, VERIFY 9000 through WebUsbDevice");
    }
    const int blocked =
        co_await enrolledDemoReader("acr39u", backend::Operation::Unblock, pcsc::Protocol::T0);
    WebUsbDevice blockedDevice(blocked);
    check(co_await verify(blockedDevice, "123456") == 0x6983,
          "demo T=0 card with a blocked PIN answers 6983");

    const int handle = co_await enrolledDemoReader("acr39u", backend::Operation::Create);
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

// The fake USBDevice copies each transfer into the wasm heap for the virtual reader: no copy of
// a VERIFY's PIN may be left there once the demo reader has carried it.
Task<void> demoReaderLeavesNoPin() {
    const int handle = co_await enrolledDemoReader("acr39u", backend::Operation::Change);
    WebUsbDevice device(handle);
    // Made at run time, so that the binary's data holds no copy; searched for as numbers.
    std::string pin(12, '0');
    std::string needle = "[";
    for (std::size_t i = 0; i < pin.size(); ++i) {
        pin[i] = static_cast<char>('0' + (i * 7 + 3) % 10);
        needle += std::to_string(pin[i]) + (i + 1 < pin.size() ? "," : "]");
    }
    const std::uint16_t sw = co_await verify(device, pin);
    wipe(pin);
    const int copies = heap_count(needle.c_str());
    check(sw == 0x63C2 && copies == 0, "demo reader: a wrong PIN's VERIFY answered 63C2 and left " +
                                           std::to_string(copies) +
                                           " copies of the PIN in the wasm heap");
}

Task<void> pageHook() {
    answerEnrolment();
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

// ---- the Web Smart Card bridge, against the fake navigator.smartCard -------------------------

using pcsc::ErrorCode;

constexpr char readerA[] = "ACS ACR39U ICC Reader 00 00";
constexpr char readerB[] = "ArkSigner Connect2Sign 01 00";

template <typename T> Task<std::optional<pcsc::ErrorCode>> pcscFailure(Task<T> task) {
    try {
        co_await task;
    } catch (const pcsc::Error& error) {
        co_return error.code();
    }
    co_return std::nullopt;
}

// How a task run in a TaskScope ended, and when.
struct Ending {
    bool done = false;
    bool cancelled = false;
    std::optional<pcsc::ErrorCode> code;
};

std::function<void(std::exception_ptr)> recordInto(Ending& ending) {
    return [&ending](std::exception_ptr failure) {
        ending.done = true;
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const pcsc::Error& error) {
            ending.code = error.code();
        } catch (const Cancelled&) {
            ending.cancelled = true;
        } catch (...) {
        }
    };
}

Task<void> waitForChange(WebSmartCardContext& context, pcsc::ReaderStateIn state) {
    co_await context.getStatusChange({std::move(state)}, std::nullopt);
}

Task<void> transmitOnce(WebSmartCardConnection& connection, Bytes command) {
    co_await connection.transmit(command);
}

// The state getStatusChange reported, as what the caller now knows.
pcsc::ReaderStateIn known(const pcsc::ReaderStateOut& out) {
    pcsc::ReaderStateIn in{out.readerName, out.eventState, out.eventCount};
    in.currentState.changed = false;
    return in;
}

std::string fakeCalls(const std::string& method) {
    return js("return JSON.stringify(__fakeSmartCard.calls.filter((c) => c.method === '" + method +
              "'))");
}

// A card that echoes each command back with 90 00, for the cases that need no card profile.
constexpr char scriptedCard[] =
    "{atr: () => new Uint8Array([0x3B, 0x80, 0x80, 0x01, 0x01]), powerCycle: () => new "
    "Uint8Array([0x3B, 0x80, 0x80, 0x01, 0x01]), transmit: (c) => new Uint8Array([...c, 0x90, "
    "0])}";

Task<void> smartCardContexts() {
    check(smartCardSupported(), "smartCardSupported with navigator.smartCard");
    js("fake.smartCard = navigator.smartCard; delete navigator.smartCard");
    check(!smartCardSupported() &&
              co_await pcscFailure(establishSmartCardContext()) == ErrorCode::Unsupported,
          "no navigator.smartCard: Unsupported");
    js("navigator.smartCard = fake.smartCard; __fakeSmartCard.setService(false)");
    check(co_await pcscFailure(establishSmartCardContext()) == ErrorCode::NoService,
          "establishContext without a PC/SC service (no-service): NoService");
    js("__fakeSmartCard.setService(true); __fakeSmartCard.setPolicy(false)");
    check(co_await pcscFailure(establishSmartCardContext()) == ErrorCode::Security,
          "establishContext refused by the permissions policy (SecurityError): Security");
    js("__fakeSmartCard.setPolicy(true); __fakeSmartCard.failNext('establishContext', {name: "
       "'NotAllowedError'})");
    check(co_await pcscFailure(establishSmartCardContext()) == ErrorCode::NotAllowed,
          "establishContext NotAllowedError: NotAllowed");
}

Task<void> statusChanges(WebSmartCardContext& context) {
    check((co_await context.listReaders()).empty(), "listReaders without readers: empty");
    js(std::string("__fakeSmartCard.addReader('") + readerA + "'); __fakeSmartCard.addReader('" +
       readerB + "')");
    check(co_await context.listReaders() == std::vector<std::string>{readerA, readerB},
          "listReaders: the readers' names");

    pcsc::ReaderStateIn unaware{readerA, {}, {}};
    unaware.currentState.unaware = true;
    auto states = co_await context.getStatusChange(
        {unaware, pcsc::ReaderStateIn{pcsc::pnpNotification, {}, 0}}, std::nullopt);
    check(states.size() == 2 && states[0].readerName == readerA && states[0].eventState.changed &&
              states[0].eventState.empty && !states[0].eventState.present &&
              states[0].eventCount == 0u && states[0].answerToReset.empty() &&
              states[1].eventState.changed && states[1].eventCount == 2u,
          "getStatusChange: unaware gets the state now (empty); the PnP reader counts 2 added");

    js(std::string("setTimeout(() => __fakeSmartCard.insertCard('") + readerA +
       "', {card: " + scriptedCard + "}), 40)");
    double start = emscripten_get_now();
    states = co_await context.getStatusChange({known(states[0])}, std::nullopt);
    check(states.size() == 1 && states[0].eventState.changed && states[0].eventState.present &&
              !states[0].eventState.empty && states[0].eventCount == 1u &&
              states[0].answerToReset == Bytes{0x3B, 0x80, 0x80, 0x01, 0x01} &&
              emscripten_get_now() - start >= 35,
          "a card put in ends the wait: present, eventCount 1, its ATR");
    const pcsc::ReaderStateIn present = known(states[0]);

    {
        TaskScope scope;
        Ending ending;
        scope.spawn(waitForChange(context, present), recordInto(ending));
        co_await sleep(30);
        check(!ending.done && js("return sc.entries.get(" + std::to_string(context.handle()) +
                                 ").waits.size") == "1",
              "nothing changed: the wait goes on");
        scope.cancel();
        // Settled before cancel() returned: nothing of the browser's was waited for.
        check(ending.done && ending.cancelled,
              "the task's scope cancelled: the wait settles at once with Cancelled");
        co_await scope.join();
        co_await sleep(0);
        check(js("return sc.calls.size + sc.entries.get(" + std::to_string(context.handle()) +
                 ").waits.size") == "0",
              "... and the JS call was aborted through its AbortSignal");
        check((co_await context.listReaders()).size() == 2,
              "the context takes the next call once the aborted wait has ended");
    }
    {
        TaskScope scope;
        Ending ending;
        scope.spawn(waitForChange(context, present), recordInto(ending));
        co_await sleep(10);
        scope.cancel(std::make_exception_ptr(pcsc::Error(ErrorCode::ReaderUnavailable, "gone")));
        co_await scope.join();
        check(ending.done && ending.code == ErrorCode::ReaderUnavailable,
              "a cancellation with a reason: the wait throws that reason");
    }
    {
        TaskScope scope;
        Ending ending;
        scope.cancel();
        const std::string before = fakeCalls("getStatusChange");
        scope.spawn(waitForChange(context, present), recordInto(ending));
        co_await scope.join();
        check(ending.cancelled && fakeCalls("getStatusChange") == before,
              "a scope cancelled already: Cancelled without calling the API");
    }
    start = emscripten_get_now();
    check(co_await pcscFailure(context.getStatusChange({present}, pcsc::Milliseconds(80))) ==
              ErrorCode::Timeout,
          "getStatusChange with nothing changing: Timeout");
    const double waited = emscripten_get_now() - start;
    check(waited >= 75 && waited < 1000,
          "... after its timeout (" + std::to_string(static_cast<int>(waited)) + " ms)");
    {
        TaskScope scope;
        Ending ending;
        scope.spawn(waitForChange(context, present), recordInto(ending));
        co_await sleep(10);
        start = emscripten_get_now();
        check(co_await pcscFailure(context.listReaders()) == ErrorCode::InvalidState &&
                  emscripten_get_now() - start < 50,
              "another call while a getStatusChange waits on the context: InvalidState at once");
        js(std::string("__fakeSmartCard.removeCard('") + readerA + "')");
        co_await sleep(20);
        check(ending.done && !ending.code, "the card taken out ends the wait");
        co_await scope.join();
    }
    states = co_await context.getStatusChange({present}, std::nullopt);
    check(states[0].eventState.empty && states[0].eventCount == 2u,
          "... empty, eventCount 2 (two card events)");
    js("__fakeSmartCard.addReader('Reader C')");
    pcsc::ReaderStateIn readerC{"Reader C", {}, {}};
    readerC.currentState.empty = true;
    js("setTimeout(() => __fakeSmartCard.removeReader('Reader C'), 20)");
    states = co_await context.getStatusChange({readerC}, std::nullopt);
    check(states[0].eventState.unknown && states[0].eventState.changed,
          "a reader unplugged during the wait: unknown, changed");
    js("__fakeSmartCard.failNext('getStatusChange', {responseCode: 'no-service'})");
    check(co_await pcscFailure(context.getStatusChange({present}, std::nullopt)) ==
              ErrorCode::NoService,
          "getStatusChange no-service: NoService");
}

struct MappingCase {
    const char* error; // the fake's failNext argument
    ErrorCode expected;
};

Task<void> errorMappings(WebSmartCardConnection& connection) {
    const MappingCase cases[] = {
        {"{responseCode: 'no-service'}", ErrorCode::NoService},
        {"{responseCode: 'no-smartcard'}", ErrorCode::NoSmartcard},
        {"{responseCode: 'not-ready'}", ErrorCode::NotReady},
        {"{responseCode: 'not-transacted'}", ErrorCode::NotTransacted},
        {"{responseCode: 'proto-mismatch'}", ErrorCode::ProtoMismatch},
        {"{responseCode: 'reader-unavailable'}", ErrorCode::ReaderUnavailable},
        {"{responseCode: 'removed-card'}", ErrorCode::RemovedCard},
        {"{responseCode: 'reset-card'}", ErrorCode::ResetCard},
        {"{responseCode: 'server-too-busy'}", ErrorCode::ServerTooBusy},
        {"{responseCode: 'sharing-violation'}", ErrorCode::SharingViolation},
        {"{responseCode: 'system-cancelled'}", ErrorCode::SystemCancelled},
        {"{responseCode: 'unknown-reader'}", ErrorCode::ReaderUnavailable},
        {"{responseCode: 'unpowered-card'}", ErrorCode::UnpoweredCard},
        {"{responseCode: 'unresponsive-card'}", ErrorCode::UnresponsiveCard},
        {"{responseCode: 'unsupported-card'}", ErrorCode::UnsupportedCard},
        {"{responseCode: 'unsupported-feature'}", ErrorCode::UnsupportedFeature},
        {"{name: 'NotAllowedError'}", ErrorCode::NotAllowed},
        {"{name: 'SecurityError'}", ErrorCode::Security},
        {"{name: 'InvalidStateError'}", ErrorCode::InvalidState},
        {"{name: 'NotSupportedError'}", ErrorCode::Unsupported},
        {"{name: 'TimeoutError'}", ErrorCode::Timeout},
        {"{name: 'AbortError'}", ErrorCode::SystemCancelled},
        {"{name: 'UnknownError'}", ErrorCode::UnknownError},
        {"{name: 'TypeError'}", ErrorCode::UnknownError},
        {"{name: 'DataError'}", ErrorCode::UnknownError},
    };
    int right = 0;
    for (const MappingCase& test : cases) {
        js(std::string("__fakeSmartCard.failNext('transmit', ") + test.error + ")");
        const auto code = co_await pcscFailure(connection.transmit(Bytes{0x00, 0xB0, 0, 0, 0}));
        if (code == test.expected)
            ++right;
        else
            check(false, std::string("transmit rejected with ") + test.error + ": " +
                             std::string(code ? pcsc::responseCode(*code) : "no failure"));
    }
    check(right == static_cast<int>(std::size(cases)),
          "every SmartCardResponseCode and DOMException mapped (" + std::to_string(right) + "/" +
              std::to_string(std::size(cases)) + ")");
}

Task<void> connectRefusals(WebSmartCardContext& context) {
    js(std::string("__fakeSmartCard.setPermission('denied')"));
    check(co_await pcscFailure(context.connect(readerB, pcsc::AccessMode::Shared,
                                               {pcsc::Protocol::T1})) == ErrorCode::NotAllowed,
          "connect refused by the user (NotAllowedError): NotAllowed");
    js("__fakeSmartCard.setPermission('granted')");
    check(co_await pcscFailure(context.connect(readerA, pcsc::AccessMode::Shared,
                                               {pcsc::Protocol::T1})) == ErrorCode::NoSmartcard,
          "connect to an empty reader (no-smartcard): NoSmartcard");
    check(co_await pcscFailure(
              context.connect("Nope", pcsc::AccessMode::Shared, {pcsc::Protocol::T1})) ==
              ErrorCode::ReaderUnavailable,
          "connect to an unknown reader (unknown-reader): ReaderUnavailable");
    check(co_await pcscFailure(context.connect(readerB, pcsc::AccessMode::Shared,
                                               {pcsc::Protocol::T0})) == ErrorCode::ProtoMismatch,
          "connect with T=0 only to a T=1 card (proto-mismatch): ProtoMismatch");
    js(std::string("__fakeSmartCard.holdExclusively('") + readerB + "')");
    check(co_await pcscFailure(
              context.connect(readerB, pcsc::AccessMode::Shared, {pcsc::Protocol::T1})) ==
              ErrorCode::SharingViolation,
          "connect while another program holds the card (sharing-violation): SharingViolation");
    js(std::string("__fakeSmartCard.holdExclusively('") + readerB + "', false)");
}

// The demo card through the bridge: transmit, transactions, dispositions, status.
Task<void> demoCardSession(WebSmartCardContext& context) {
    auto result = co_await context.connect(readerB, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
    WebSmartCardConnection& connection = static_cast<WebSmartCardConnection&>(*result.connection);
    check(result.activeProtocol == pcsc::Protocol::T1,
          "connect: the connection, activeProtocol t1");
    const pcsc::ConnectionStatus status = co_await connection.status();
    check(status.readerName == readerB && status.state == pcsc::ConnectionStatus::State::Specific &&
              status.activeProtocol == pcsc::Protocol::T1 &&
              toHex(status.answerToReset) == "3B9F968131FE45806755454B41451293318073B3A1806B",
          "status: the reader, specific t1, the AKIS v1.3 ATR");
    const std::string cardState =
        "return JSON.stringify(__fakeSmartCard.cardState('" + std::string(readerB) + "'))";
    const Bytes verify{0x00, 0x20, 0x00, 0x81, 0x06, '1', '2', '3', '4', '5', '6'};
    check(co_await connection.transmit(verify) == Bytes{0x90, 0x00} &&
              js(cardState).find("\"verified\":true") != std::string::npos,
          "transmit: VERIFY 123456 on the demo card answers 9000");

    co_await connection.beginTransaction();
    check(js("return __fakeSmartCard.readers()[1].transaction") == "true",
          "beginTransaction resolves with the transaction held (its callback runs)");
    check(co_await pcscFailure(connection.beginTransaction()) == ErrorCode::InvalidState,
          "a second beginTransaction: InvalidState");
    check(co_await connection.transmit(verify) == Bytes{0x90, 0x00},
          "transmit inside the transaction");
    co_await connection.endTransaction(pcsc::Disposition::Reset);
    check(fakeCalls("endTransaction").find("\"disposition\":\"reset\"") != std::string::npos &&
              js("return __fakeSmartCard.readers()[1].transaction") == "false" &&
              js(cardState).find("\"verified\":false") != std::string::npos,
          "endTransaction(Reset): the callback resolves \"reset\", the card is reset");
    check(co_await pcscFailure(connection.endTransaction(pcsc::Disposition::Leave)) ==
              ErrorCode::InvalidState,
          "endTransaction without a transaction: InvalidState");
    js("__fakeSmartCard.failNext('startTransaction', {responseCode: 'reset-card'})");
    check(co_await pcscFailure(connection.beginTransaction()) == ErrorCode::ResetCard,
          "startTransaction rejected before its callback: beginTransaction fails (reset-card)");
    co_await errorMappings(connection);
    co_await connection.disconnect(pcsc::Disposition::Unpower);
    check(fakeCalls("disconnect").find("\"disposition\":\"unpower\"") != std::string::npos &&
              js("return __fakeSmartCard.readers()[1].powered") == "false",
          "disconnect(Unpower): the API gets \"unpower\"");
    check(co_await pcscFailure(connection.transmit(verify)) == ErrorCode::InvalidState,
          "transmit after disconnect: InvalidState");
}

Task<void> cardRemovals(WebSmartCardContext& context) {
    auto result = co_await context.connect(readerB, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
    auto& connection = *result.connection;
    js(std::string("__fakeSmartCard.removeCard('") + readerB + "')");
    check(co_await pcscFailure(connection.transmit(Bytes{0x00, 0xA4, 0x04, 0x00})) ==
              ErrorCode::RemovedCard,
          "transmit after the card was taken out: RemovedCard");
    check(co_await pcscFailure(connection.beginTransaction()) == ErrorCode::RemovedCard,
          "beginTransaction after the card was taken out: RemovedCard");
    co_await awaitJs(std::string("return __fakeSmartCard.insertCard('") + readerB + "')");
    check(co_await pcscFailure(connection.status()) == ErrorCode::RemovedCard,
          "the same card put back: the old connection still fails RemovedCard");
    auto again = co_await context.connect(readerB, pcsc::AccessMode::Exclusive,
                                          {pcsc::Protocol::T0, pcsc::Protocol::T1});
    js(std::string("__fakeSmartCard.removeReader('") + readerB + "')");
    check(co_await pcscFailure(again.connection->transmit(Bytes{0x00, 0xA4, 0x04, 0x00})) ==
              ErrorCode::ReaderUnavailable,
          "transmit after the reader was unplugged: ReaderUnavailable");
}

Task<void> slowTransmits(WebSmartCardContext& context) {
    auto result = co_await context.connect(readerA, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
    auto& connection = static_cast<WebSmartCardConnection&>(*result.connection);
    const std::string entry = "sc.entries.get(" + std::to_string(connection.handle()) + ")";
    // The command and response buffers the bridge hands to / gets from the API, kept for a look.
    js("const e = " + entry +
       "; const t = e.object.transmit.bind(e.object); e.object.transmit = (b, o) => { "
       "fake.sent = b; return t(b, o).then((r) => { fake.received = r; return r; }); }");
    js("__fakeSmartCard.setTransmitDelay(300)");
    const double start = emscripten_get_now();
    const Bytes answer =
        co_await connection.transmit(Bytes{0x00, 0x20, 0x00, 0x81, 0x02, 0x31, 0x32});
    const double waited = emscripten_get_now() - start;
    check(answer == Bytes{0x00, 0x20, 0x00, 0x81, 0x02, 0x31, 0x32, 0x90, 0x00} && waited >= 295,
          "a slow transmit (300 ms) is waited for (" + std::to_string(static_cast<int>(waited)) +
              " ms)");
    co_await sleep(0);
    check(js("return fake.sent.length === 7 && fake.sent.every((b) => b === 0) && "
             "new Uint8Array(fake.received).every((b) => b === 0)") == "true",
          "the command copy and the response are zeroed once the card has answered");
    js("__fakeSmartCard.clearCalls()");
    {
        TaskScope scope;
        Ending first, second;
        scope.spawn(transmitOnce(connection, Bytes{0x00, 0x20, 0x00, 0x81}), recordInto(first));
        scope.spawn(transmitOnce(connection, Bytes{0x00, 0x24, 0x00, 0x81}), recordInto(second));
        co_await sleep(50);
        scope.cancel();
        // Settled before cancel() returned: nothing of the browser's was waited for.
        check(first.cancelled && second.cancelled,
              "cancelled during a slow transmit: both waiting transmits settle at once");
        co_await scope.join();
    }
    const double asked = emscripten_get_now();
    const pcsc::ConnectionStatus status = co_await connection.status();
    check(status.state == pcsc::ConnectionStatus::State::Specific &&
              emscripten_get_now() - asked >= 150,
          "the next call waits for the transmit still on the card, rather than failing");
    check(fakeCalls("transmit") ==
              R"([{"method":"transmit","reader":")" + std::string(readerA) + R"(","ins":32}])",
          "the transmit given up before it started never reached the card");
    js("__fakeSmartCard.setTransmitDelay(0)");
}

Task<void> releases(WebSmartCardContext& context) {
    js("__fakeSmartCard.clearCalls()");
    {
        auto result =
            co_await context.connect(readerA, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
        (void)result;
    }
    co_await sleep(20);
    check(fakeCalls("disconnect").find("\"disposition\":\"reset\"") != std::string::npos,
          "a connection dropped without disconnect is disconnected with a reset");
    js("__fakeSmartCard.clearCalls()");
    {
        auto result =
            co_await context.connect(readerA, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
        co_await result.connection->beginTransaction();
    }
    co_await sleep(20);
    check(fakeCalls("endTransaction").find("\"disposition\":\"reset\"") != std::string::npos &&
              fakeCalls("disconnect").find("\"disposition\":\"reset\"") != std::string::npos &&
              js("return __fakeSmartCard.readers()[0].transaction") == "false",
          "... dropped inside a transaction: the transaction ends with a reset, then disconnect");
    check(js("return sc.entries.size") == "1", "only the context is left in the table");

    js("__fakeSmartCard.clearCalls()");
    auto kept = co_await context.connect(readerA, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
    co_await kept.connection->beginTransaction();
    releaseAllSmartCards();
    co_await sleep(20);
    check(fakeCalls("endTransaction").find("\"disposition\":\"reset\"") != std::string::npos &&
              fakeCalls("disconnect").find("\"disposition\":\"reset\"") != std::string::npos &&
              co_await pcscFailure(kept.connection->transmit(Bytes{0x00, 0xA4, 0x04, 0x00})) ==
                  ErrorCode::InvalidState,
          "releaseAllSmartCards (pagehide): transaction ended and disconnected with a reset; "
          "later calls fail InvalidState");
}

Task<void> demoCardHook() {
    answerEnrolment();
    const PromiseOutcome made = co_await awaitJs(
        "return Module.kamusmDemo.createCard({pin: 'blocked'}).then((card) => { fake.card = card; "
        "return {atr: Array.from(card.atr()), state: card.state()}; })");
    check(made.kind == PromiseOutcome::Kind::Resolved &&
              made.text.find(R"("pin":"blocked")") != std::string::npos &&
              made.text.find("[59,159,150") == 7 &&
              js("return fake.fetchLog.at(-1).url") == "/demo/cards",
          "Module.kamusmDemo.createCard: enrolled at the page's origin, ATR and state: " +
              made.text);
    check(js("return Array.from(fake.card.transmit(new Uint8Array([0, 0x20, 0, 0x81, 6, 0x31, "
             "0x32, 0x33, 0x34, 0x35, 0x36]))).join(' ')") == "105 131",
          "the card answers APDUs: VERIFY on a blocked PIN, 6983");
    check(js("fake.card.powerCycle(); fake.card.release(); try { fake.card.atr(); return 'kept'; } "
             "catch (error) { return error.name; }") == "InvalidStateError",
          "powerCycle, release: a released card refuses calls");
    const PromiseOutcome refused =
        co_await awaitJs("return Module.kamusmDemo.createCard({pin: 'nope'})");
    check(refused.kind == PromiseOutcome::Kind::Rejected &&
              refused.text.find("unknown PIN state \"nope\"") != std::string::npos,
          "createCard rejects an unknown PIN state: " + refused.text);
}

// The pattern of the reader owner: readers watched on a context of their own while the card is
// worked on another; the card taken out ends the watch, the work fails RemovedCard.
Task<void> watchAndWork(WebSmartCardContext& work) {
    auto watch = co_await establishSmartCardContext();
    auto result = co_await work.connect(readerA, pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
    pcsc::ReaderStateIn unaware{readerA, {}, {}};
    unaware.currentState.unaware = true;
    const auto now = co_await watch->getStatusChange({unaware}, std::nullopt);
    TaskScope scope;
    Ending watched;
    scope.spawn(waitForChange(*watch, known(now[0])), recordInto(watched));
    int answered = 0;
    for (int i = 0; i < 5; ++i)
        answered += (co_await result.connection->transmit(Bytes{0x00, 0xB0, 0, 0, 0})).size() > 2;
    check(answered == 5 && !watched.done,
          "transmits on one context while a getStatusChange waits on another");
    js(std::string("__fakeSmartCard.removeCard('") + readerA + "')");
    co_await sleep(20);
    check(watched.done && !watched.code &&
              co_await pcscFailure(result.connection->transmit(Bytes{0x00, 0xB0, 0, 0, 0})) ==
                  ErrorCode::RemovedCard,
          "the card taken out: the watch ends, the work fails RemovedCard");
    co_await scope.join();
    co_await awaitJs(std::string("return __fakeSmartCard.insertCard('") + readerA + "')");
}

// The fake's removeCardOn: the card taken out before, during or after a given command.
Task<void> removalTriggers(WebSmartCardContext& context) {
    js("__fakeSmartCard.addReader('Reader E'); fake.seen = []; fake.logged = {atr: () => new "
       "Uint8Array([0x3B, 0]), powerCycle: () => new Uint8Array([0x3B, 0]), transmit: (c) => { "
       "fake.seen.push(c[1]); return new Uint8Array([0x90, 0]); }}");
    const Bytes resetRetryCounter{0x00, 0x2C, 0x02, 0x81};
    const char* whens[] = {"before", "during", "after"};
    std::string outcomes;
    for (const char* when : whens) {
        co_await awaitJs("return __fakeSmartCard.insertCard('Reader E', {card: fake.logged})");
        auto result =
            co_await context.connect("Reader E", pcsc::AccessMode::Shared, {pcsc::Protocol::T1});
        js(std::string("fake.seen = []; __fakeSmartCard.removeCardOn(0x2C, '") + when + "')");
        co_await result.connection->transmit(Bytes{0x00, 0xA4, 0x04, 0x00}); // not the one
        const auto failure = co_await pcscFailure(result.connection->transmit(resetRetryCounter));
        co_await sleep(0);
        outcomes += std::string(when) + ": " +
                    (failure ? std::string(pcsc::responseCode(*failure)) : "answered") +
                    ", card saw " + js("return fake.seen.join(' ')") + ", " +
                    js("return __fakeSmartCard.readers().find((r) => r.name === 'Reader "
                       "E').card ? 'in' : 'out'") +
                    "; ";
    }
    check(outcomes == "before: removed-card, card saw 164, out; during: removed-card, card saw "
                      "164 44, out; after: answered, card saw 164 44, out; ",
          "removeCardOn(RESET RETRY COUNTER): " + outcomes);
    co_await awaitJs("return __fakeSmartCard.insertCard('Reader E', {card: fake.logged, mute: "
                     "true})");
    check(co_await pcscFailure(
              context.connect("Reader E", pcsc::AccessMode::Shared, {pcsc::Protocol::T1})) ==
              ErrorCode::UnresponsiveCard,
          "connect to a mute card (unresponsive-card): UnresponsiveCard");
}

// APDUs over a pcsc::Connection, as the reader owner's PC/SC transport will carry them.
class ConnectionChannel : public iso7816::Channel {
public:
    explicit ConnectionChannel(pcsc::Connection& connection) : connection_(connection) {}
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        Bytes encoded = command.encode();
        WipeOnExit wipe(encoded);
        co_return iso7816::ResponseApdu::decode(co_await connection_.transmit(encoded));
    }
    bool extendedApdus() const override { return false; }

private:
    pcsc::Connection& connection_;
};

// The card profile end to end through the bridge and the fake, on the T=0 demo card (whose
// long answers come in 61xx pieces).
Task<void> akisThroughBridge(WebSmartCardContext& context) {
    js("__fakeSmartCard.addReader('Reader D')");
    answerEnrolment();
    co_await awaitJs("return __fakeSmartCard.insertCard('Reader D', {pin: 'set', protocol: 't0'})");
    auto result = co_await context.connect("Reader D", pcsc::AccessMode::Shared,
                                           {pcsc::Protocol::T0, pcsc::Protocol::T1});
    check(result.activeProtocol == pcsc::Protocol::T0, "the T=0 demo card: activeProtocol t0");
    ConnectionChannel channel(*result.connection);
    card::AkisCard akis(channel);
    const ByteView issued = sim::demoSigningCertificate();
    check(co_await akis.readSerial() == sim::demoCardSetup(sim::CardProtocol::T0).serial &&
              co_await akis.readCertificate(card::Certificate::Signing) ==
                  Bytes(issued.begin(), issued.end()),
          "AkisCard over the bridge: the serial and the whole signing certificate");
    const card::PinStatus before = co_await akis.pinStatus();
    check(before.state == card::PinState::Set && before.triesLeft == 3, "PIN status: set, 3 tries");
    co_await result.connection->beginTransaction();
    co_await akis.changePin(card::Pin("123456"), card::Pin("24681357"));
    co_await result.connection->endTransaction(pcsc::Disposition::Reset);
    co_await akis.verifyPin(card::Pin("24681357"));
    check(js("return JSON.stringify(__fakeSmartCard.cardState('Reader D'))") ==
              R"({"pin":"set","tries_left":3,"verified":true,"puk_commands":0})",
          "CHANGE REFERENCE DATA in a transaction ended with a reset; the new PIN verifies");
    co_await result.connection->disconnect(pcsc::Disposition::Reset);
}

Task<void> smartCards() {
    co_await demoCardHook();
    co_await smartCardContexts();
    auto context = co_await establishSmartCardContext();
    co_await statusChanges(*context);
    answerEnrolment();
    const PromiseOutcome inserted = co_await awaitJs(
        std::string("return __fakeSmartCard.insertCard('") + readerB + "', {pin: 'set'})");
    check(inserted.kind == PromiseOutcome::Kind::Resolved,
          "the fake's insertCard puts in an enrolled demo card: " + inserted.text);
    co_await connectRefusals(*context);
    co_await demoCardSession(*context);
    co_await cardRemovals(*context);
    js(std::string("__fakeSmartCard.insertCard('") + readerA + "', {card: " + scriptedCard + "})");
    co_await sleep(0);
    co_await slowTransmits(*context);
    co_await releases(*context);
    co_await watchAndWork(*context);
    co_await akisThroughBridge(*context);
    co_await removalTriggers(*context);
}

Task<void> all() {
    co_await chooser();
    co_await granted();
    co_await rejections();
    co_await timeouts();
    co_await disconnects();
    co_await fetches();
    co_await demoReaders();
    co_await demoReaderLeavesNoPin();
    co_await pageHook();
    co_await smartCards();
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
