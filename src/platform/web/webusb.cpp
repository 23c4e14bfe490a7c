// The WebUSB bridge's C++ half: each usb::Device call starts its Promise in webusb.js and awaits
// it; rejections (DOMException names) and transfer statuses become usb::Error codes here, by
// table.
#include "kamusm/platform/webusb.hpp"

#include "kamusm/base/json.hpp"
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/vendor_class.hpp"
#include "kamusm/platform/promise.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <emscripten/emscripten.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

extern "C" {
bool kamusm_usb_supported();
bool kamusm_usb_disconnected(int handle);
void kamusm_usb_forget(int handle);
char* kamusm_usb_info(int handle);
void kamusm_usb_request(int id, const char* filtersJson);
void kamusm_usb_granted(int id, const char* filtersJson);
void kamusm_usb_listen(const char* filtersJson);
void kamusm_usb_release_all();
void kamusm_usb_open(int id, int handle, int timeoutMs);
void kamusm_usb_close(int id, int handle, int timeoutMs);
void kamusm_usb_select_configuration(int id, int handle, int value, int timeoutMs);
void kamusm_usb_claim_interface(int id, int handle, int number, int timeoutMs);
void kamusm_usb_release_interface(int id, int handle, int number, int timeoutMs);
void kamusm_usb_control_in(int id, int handle, int requestType, int recipient, int request,
                           int value, int index, int length, int timeoutMs);
void kamusm_usb_control_out(int id, int handle, int requestType, int recipient, int request,
                            int value, int index, const std::uint8_t* data, int size,
                            int timeoutMs);
void kamusm_usb_transfer_in(int id, int handle, int endpoint, int length, int timeoutMs);
void kamusm_usb_transfer_out(int id, int handle, int endpoint, const std::uint8_t* data, int size,
                             int timeoutMs);
void kamusm_usb_clear_halt(int id, int handle, bool in, int endpoint, int timeoutMs);
void kamusm_usb_reset(int id, int handle, int timeoutMs);
}

namespace kamusm::platform::web {

namespace {

using Kind = PromiseOutcome::Kind;

// open, claimInterface and the like carry no timeout of their own; a device that never answers
// them must still not hang the wizard.
constexpr int deviceCallTimeoutMs = 15'000;

enum class Call {
    Open,
    Close,
    SelectConfiguration,
    ClaimInterface,
    ReleaseInterface,
    Transfer,
    RequestDevice,
    GetDevices
};

// A rejection's DOMException name, where it happened (nullopt: anywhere) and what it means.
struct RejectionRow {
    std::string_view name;
    std::optional<Call> call;
    usb::ErrorCode code;
    std::string_view meaning;
};

// First matching row wins; AbortError is decided by the device's state (rejection()).
constexpr std::array rejectionTable{
    RejectionRow{"SecurityError", Call::Open, usb::ErrorCode::OpenDenied,
                 "the system refuses to open the device (no access rights to it on Linux; on "
                 "Windows a driver other than WinUSB holds it)"},
    RejectionRow{"SecurityError", std::nullopt, usb::ErrorCode::AccessDenied,
                 "the browser refuses access (Chrome protects the smart-card interface class "
                 "0x0B from web pages)"},
    RejectionRow{"NetworkError", Call::ClaimInterface, usb::ErrorCode::Busy,
                 "another driver holds the interface"},
    RejectionRow{"NetworkError", Call::Open, usb::ErrorCode::Busy,
                 "the device could not be opened: another driver holds it, or the system "
                 "gives no access (WinUSB driver on Windows, udev rule on Linux)"},
    RejectionRow{"NotFoundError", std::nullopt, usb::ErrorCode::Disconnected, "the device is gone"},
    RejectionRow{"InvalidStateError", std::nullopt, usb::ErrorCode::Io,
                 "the device is not in a state for this call"},
};

std::string describe(std::string_view meaning, const PromiseOutcome& outcome) {
    return std::string(meaning) + " (" + outcome.text + ")";
}

[[noreturn]] void throwRejection(const PromiseOutcome& outcome, Call call, bool disconnected) {
    const std::string_view name = outcome.errorName();
    for (const RejectionRow& row : rejectionTable)
        if (row.name == name && (!row.call || row.call == call))
            throw usb::Error(row.code, describe(row.meaning, outcome));
    if (name == "AbortError" && disconnected)
        throw usb::Error(usb::ErrorCode::Disconnected, describe("the device is gone", outcome));
    throw usb::Error(usb::ErrorCode::Io, describe("the USB call failed", outcome));
}

// USBInTransferResult / USBOutTransferResult status.
void checkTransferStatus(const PromiseOutcome& outcome) {
    if (outcome.text == "stall") throw usb::Error(usb::ErrorCode::Stall, "the endpoint stalled");
    if (outcome.text == "babble")
        throw usb::Error(usb::ErrorCode::Io, "the device sent more data than asked for (babble)");
}

int milliseconds(usb::Milliseconds timeout) {
    return static_cast<int>(std::max<std::int64_t>(1, timeout.count()));
}

// The requestDevice filters: the CCID class, plus the readers that carry CCID behind a
// vendor-class (0xFF) interface, by VID/PID.
std::string readerFilters() {
    json::Value filters = json::Value::array();
    filters.push(json::Value::object({{"classCode", 0x0B}}));
    for (const ccid::VendorClassReader& reader : ccid::vendorClassReaders())
        filters.push(
            json::Value::object({{"vendorId", reader.idVendor}, {"productId", reader.idProduct}}));
    return filters.dump();
}

const std::string& filtersJson() {
    static const std::string filters = readerFilters();
    return filters;
}

void requireWebUsb() {
    if (!kamusm_usb_supported())
        throw usb::Error(usb::ErrorCode::Unsupported, "this browser has no WebUSB (navigator.usb)");
}

// Awaits one call's Promise (`handle` 0: no device yet, as for requestDevice). A device that is
// gone refuses at once; a rejection is mapped knowing whether a disconnect caused it.
Task<PromiseOutcome> settle(Call call, std::function<void(int id)> start, int handle = 0,
                            usb::Milliseconds timeout = {}) {
    if (handle != 0 && kamusm_usb_disconnected(handle))
        throw usb::Error(usb::ErrorCode::Disconnected, "the device is gone");
    JsPromise promise(std::move(start));
    PromiseOutcome outcome = co_await promise;
    if (outcome.kind == Kind::TimedOut)
        throw usb::Error(usb::ErrorCode::Timeout,
                         "no answer within " + std::to_string(timeout.count()) + " ms");
    if (outcome.kind == Kind::Rejected)
        throwRejection(outcome, call, handle != 0 && kamusm_usb_disconnected(handle));
    checkTransferStatus(outcome);
    co_return outcome;
}

UsbEvents& usbEvents() {
    static UsbEvents events;
    return events;
}

} // namespace

WebUsbDevice::WebUsbDevice(int handle) : handle_(handle) {}

WebUsbDevice::~WebUsbDevice() {
    kamusm_usb_forget(handle_);
}

bool WebUsbDevice::disconnected() const {
    return kamusm_usb_disconnected(handle_);
}

usb::DeviceInfo WebUsbDevice::info() const {
    char* text = kamusm_usb_info(handle_);
    const json::Value device = json::parse(text).value_or(json::Value());
    std::free(text);
    const auto number = [&](const char* key) { return device[key].integer().value_or(0); };
    const auto string = [&](const char* key) {
        return std::string(device[key].string().value_or(""));
    };
    usb::DeviceInfo info;
    info.idVendor = static_cast<std::uint16_t>(number("vendorId"));
    info.idProduct = static_cast<std::uint16_t>(number("productId"));
    info.bcdDevice = static_cast<std::uint16_t>(number("deviceVersionMajor") << 8 |
                                                number("deviceVersionMinor") << 4 |
                                                number("deviceVersionSubminor"));
    info.manufacturer = string("manufacturerName");
    info.product = string("productName");
    info.serialNumber = string("serialNumber");
    return info;
}

Task<void> WebUsbDevice::open() {
    co_await settle(
        Call::Open, [&](int id) { kamusm_usb_open(id, handle_, deviceCallTimeoutMs); }, handle_,
        usb::Milliseconds(deviceCallTimeoutMs));
}

Task<void> WebUsbDevice::close() {
    co_await settle(
        Call::Close, [&](int id) { kamusm_usb_close(id, handle_, deviceCallTimeoutMs); }, handle_,
        usb::Milliseconds(deviceCallTimeoutMs));
}

Task<void> WebUsbDevice::selectConfiguration(std::uint8_t configurationValue) {
    co_await settle(
        Call::SelectConfiguration,
        [&](int id) {
            kamusm_usb_select_configuration(id, handle_, configurationValue, deviceCallTimeoutMs);
        },
        handle_, usb::Milliseconds(deviceCallTimeoutMs));
}

Task<void> WebUsbDevice::claimInterface(std::uint8_t interfaceNumber) {
    co_await settle(
        Call::ClaimInterface,
        [&](int id) {
            kamusm_usb_claim_interface(id, handle_, interfaceNumber, deviceCallTimeoutMs);
        },
        handle_, usb::Milliseconds(deviceCallTimeoutMs));
}

Task<void> WebUsbDevice::releaseInterface(std::uint8_t interfaceNumber) {
    co_await settle(
        Call::ReleaseInterface,
        [&](int id) {
            kamusm_usb_release_interface(id, handle_, interfaceNumber, deviceCallTimeoutMs);
        },
        handle_, usb::Milliseconds(deviceCallTimeoutMs));
}

Task<Bytes> WebUsbDevice::controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                            usb::Milliseconds timeout) {
    PromiseOutcome outcome = co_await settle(
        Call::Transfer,
        [&](int id) {
            kamusm_usb_control_in(id, handle_, static_cast<int>(setup.requestType),
                                  static_cast<int>(setup.recipient), setup.bRequest, setup.wValue,
                                  setup.wIndex, length, milliseconds(timeout));
        },
        handle_, timeout);
    co_return std::move(outcome.bytes);
}

Task<void> WebUsbDevice::controlTransferOut(usb::ControlSetup setup, ByteView data,
                                            usb::Milliseconds timeout) {
    co_await settle(
        Call::Transfer,
        [&](int id) {
            kamusm_usb_control_out(id, handle_, static_cast<int>(setup.requestType),
                                   static_cast<int>(setup.recipient), setup.bRequest, setup.wValue,
                                   setup.wIndex, data.data(), static_cast<int>(data.size()),
                                   milliseconds(timeout));
        },
        handle_, timeout);
}

Task<Bytes> WebUsbDevice::transferIn(std::uint8_t endpointNumber, std::size_t length,
                                     usb::Milliseconds timeout) {
    PromiseOutcome outcome = co_await settle(
        Call::Transfer,
        [&](int id) {
            kamusm_usb_transfer_in(id, handle_, endpointNumber, static_cast<int>(length),
                                   milliseconds(timeout));
        },
        handle_, timeout);
    co_return std::move(outcome.bytes);
}

Task<void> WebUsbDevice::transferOut(std::uint8_t endpointNumber, ByteView data,
                                     usb::Milliseconds timeout) {
    co_await settle(
        Call::Transfer,
        [&](int id) {
            kamusm_usb_transfer_out(id, handle_, endpointNumber, data.data(),
                                    static_cast<int>(data.size()), milliseconds(timeout));
        },
        handle_, timeout);
}

Task<void> WebUsbDevice::clearHalt(bool in, std::uint8_t endpointNumber) {
    co_await settle(
        Call::Transfer,
        [&](int id) {
            kamusm_usb_clear_halt(id, handle_, in, endpointNumber, deviceCallTimeoutMs);
        },
        handle_, usb::Milliseconds(deviceCallTimeoutMs));
}

Task<void> WebUsbDevice::reset() {
    co_await settle(
        Call::Transfer, [&](int id) { kamusm_usb_reset(id, handle_, deviceCallTimeoutMs); },
        handle_, usb::Milliseconds(deviceCallTimeoutMs));
}

Task<std::unique_ptr<WebUsbDevice>> requestReader() {
    requireWebUsb();
    std::optional<PromiseOutcome> chosen;
    try {
        chosen = co_await settle(Call::RequestDevice,
                                 [](int id) { kamusm_usb_request(id, filtersJson().c_str()); });
    } catch (const usb::Error& error) {
        // NotFoundError from requestDevice: the user closed the chooser without a device.
        if (error.code() != usb::ErrorCode::Disconnected) throw;
    }
    if (!chosen) co_return nullptr;
    co_return std::make_unique<WebUsbDevice>(chosen->number);
}

Task<std::vector<std::unique_ptr<WebUsbDevice>>> grantedReaders() {
    requireWebUsb();
    const PromiseOutcome granted = co_await settle(
        Call::GetDevices, [](int id) { kamusm_usb_granted(id, filtersJson().c_str()); });
    std::vector<std::unique_ptr<WebUsbDevice>> readers;
    const json::Value handles = json::parse(granted.text).value_or(json::Value());
    for (const json::Value& handle : handles.items())
        if (const std::optional<std::int64_t> number = handle.integer())
            readers.push_back(std::make_unique<WebUsbDevice>(static_cast<int>(*number)));
    co_return readers;
}

void setUsbEvents(UsbEvents events) {
    usbEvents() = std::move(events);
    kamusm_usb_listen(filtersJson().c_str());
}

void releaseAllDevices() {
    kamusm_usb_release_all();
}

} // namespace kamusm::platform::web

extern "C" EMSCRIPTEN_KEEPALIVE void kamusm_usb_connected(int handle) {
    auto& connected = kamusm::platform::web::usbEvents().connected;
    if (connected)
        connected(handle);
    else
        kamusm_usb_forget(handle); // nobody takes the device: drop its table entry
}

extern "C" EMSCRIPTEN_KEEPALIVE void kamusm_usb_disconnected_event(int handle) {
    auto& disconnected = kamusm::platform::web::usbEvents().disconnected;
    if (disconnected) disconnected(handle);
}
