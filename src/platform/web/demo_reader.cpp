// The demo reader's C++ half: virtual readers by id, each call of the fake USBDevice
// (demo_reader.js) run synchronously on its sim::VirtualReader, and the page hook
// Module.kamusmDemo.createReader. Also virtual cards on their own, answering APDUs, for the
// browser tests' fake navigator.smartCard (Module.kamusmDemo.createCard). Built as the demo
// module (kamusm_demo.js + .wasm) that the page loads only in demo mode, so the production app
// carries no simulator (include/kamusm/platform/demo_module.hpp).
#include "kamusm/base/json.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/platform/fetch.hpp"
#include "kamusm/sim/demo_enrolment.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/sim/reader.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

extern "C" {
// Settles a Module.kamusmDemo.createReader request: the reader's id and description, or the
// reason it failed (id 0).
void kamusm_demo_created(int request, int id, const char* descriptionJson, const char* error);
// Settles a Module.kamusmDemo.createCard request: the card's id, or the reason it failed (id 0).
void kamusm_demo_card_created(int request, int id, const char* error);
}

namespace kamusm::platform::web {

namespace {

struct DemoReader {
    std::shared_ptr<sim::VirtualCard> card; // kept for insertCard: the same card goes back in
    std::unique_ptr<sim::VirtualReader> reader;
};

std::map<int, DemoReader>& demoReaders() {
    static std::map<int, DemoReader> readers;
    return readers;
}

// The cards of Module.kamusmDemo.createCard, by id.
std::map<int, std::shared_ptr<sim::VirtualCard>>& demoCards() {
    static std::map<int, std::shared_ptr<sim::VirtualCard>> cards;
    return cards;
}

// What an exported call returns when it is not a byte count; demo_reader.js knows the same
// numbers and turns them into WebUSB outcomes.
enum DemoStatus : int {
    Stall = -1,        // the result's status "stall"
    NothingYet = -2,   // an IN endpoint with nothing to send: the fake waits and asks again
    NotFound = -3,     // NotFoundError (no such endpoint or interface, unplugged)
    InvalidState = -4, // InvalidStateError (the device is not open)
    Failed = -5,       // NetworkError (any other transfer failure)
};

constexpr std::array<std::pair<usb::ErrorCode, DemoStatus>, 5> statusByError{{
    {usb::ErrorCode::Stall, Stall},
    {usb::ErrorCode::Timeout, NothingYet},
    {usb::ErrorCode::NotFound, NotFound},
    {usb::ErrorCode::Disconnected, NotFound},
    {usb::ErrorCode::Io, InvalidState},
}};

DemoStatus statusOf(usb::ErrorCode code) {
    for (const auto& [error, status] : statusByError)
        if (error == code) return status;
    return Failed;
}

// Runs `step` on demo reader `id`: its byte count (or 0), or a DemoStatus.
template <typename Step> int onReader(int id, Step step) {
    const auto found = demoReaders().find(id);
    if (found == demoReaders().end()) return NotFound;
    try {
        return step(*found->second.reader, found->second.card);
    } catch (const usb::Error& error) {
        return statusOf(error.code());
    } catch (const std::exception&) {
        return Failed;
    }
}

int copyOut(const Bytes& bytes, std::uint8_t* out, int length) {
    const int count = std::min(static_cast<int>(bytes.size()), length);
    std::memcpy(out, bytes.data(), static_cast<std::size_t>(count));
    return count;
}

usb::ControlSetup controlSetup(int requestType, int recipient, int request, int value, int index) {
    return {static_cast<usb::RequestType>(requestType), static_cast<usb::Recipient>(recipient),
            static_cast<std::uint8_t>(request), static_cast<std::uint16_t>(value),
            static_cast<std::uint16_t>(index)};
}

const ccid::KnownReader& knownReaderOf(sim::ReaderModel model) {
    const auto& models = sim::readerModels();
    const auto info =
        std::find_if(models.begin(), models.end(),
                     [&](const sim::ReaderModelInfo& row) { return row.model == model; });
    return ccid::knownReader(info->id);
}

// The USBDevice fields the fake presents: identity, and configurations → interfaces →
// alternates → endpoints as WebUSB shapes them.
std::string describe(const sim::VirtualReader& reader, sim::ReaderModel model) {
    using json::Value;
    const usb::DeviceInfo info = reader.info();
    const usb::ConfigurationDescriptor configuration =
        usb::parseConfigurationDescriptor(knownReaderOf(model).configurationDescriptor);
    std::vector<std::pair<int, Value>> alternatesOf; // interface number → its alternates
    for (const usb::InterfaceDescriptor& alternate : configuration.interfaces) {
        Value endpoints = Value::array();
        for (const usb::EndpointDescriptor& endpoint : alternate.endpoints)
            endpoints.push(Value::object(
                {{"endpointNumber", endpoint.number()},
                 {"direction", endpoint.in() ? "in" : "out"},
                 {"type",
                  endpoint.transferType() == usb::TransferType::Interrupt ? "interrupt" : "bulk"},
                 {"packetSize", endpoint.wMaxPacketSize}}));
        if (alternatesOf.empty() || alternatesOf.back().first != alternate.bInterfaceNumber)
            alternatesOf.emplace_back(alternate.bInterfaceNumber, Value::array());
        alternatesOf.back().second.push(
            Value::object({{"alternateSetting", alternate.bAlternateSetting},
                           {"interfaceClass", alternate.bInterfaceClass},
                           {"interfaceSubclass", alternate.bInterfaceSubClass},
                           {"interfaceProtocol", alternate.bInterfaceProtocol},
                           {"interfaceName", nullptr},
                           {"endpoints", endpoints}}));
    }
    Value interfaces = Value::array();
    for (const auto& [number, alternates] : alternatesOf)
        interfaces.push(Value::object({{"interfaceNumber", number}, {"alternates", alternates}}));
    Value configurations = Value::array();
    configurations.push(Value::object({{"configurationValue", configuration.bConfigurationValue},
                                       {"configurationName", nullptr},
                                       {"interfaces", interfaces}}));
    return Value::object({{"vendorId", info.idVendor},
                          {"productId", info.idProduct},
                          {"deviceClass", 0},
                          {"deviceSubclass", 0},
                          {"deviceProtocol", 0},
                          {"usbVersionMajor", 2},
                          {"usbVersionMinor", 0},
                          {"usbVersionSubminor", 0},
                          {"deviceVersionMajor", info.bcdDevice >> 8},
                          {"deviceVersionMinor", info.bcdDevice >> 4 & 0x0F},
                          {"deviceVersionSubminor", info.bcdDevice & 0x0F},
                          {"manufacturerName", info.manufacturer},
                          {"productName", info.product},
                          {"serialNumber", nullptr},
                          {"configurations", configurations}})
        .dump();
}

// Enrols the card at the backend and puts it into a new virtual reader; returns its id.
Task<int> makeDemoReader(backend::BackendClient& backend, sim::ReaderModel model,
                         sim::DemoPinState pinState, sim::CardProtocol protocol) {
    DemoReader demo;
    demo.card = co_await sim::enrolDemoCard(backend, pinState, protocol);
    demo.reader = std::make_unique<sim::VirtualReader>(
        model, std::vector<std::shared_ptr<sim::VirtualCard>>{demo.card});
    static int nextId = 0;
    demoReaders().emplace(++nextId, std::move(demo));
    co_return nextId;
}

// The table of the page hook's option values.
constexpr std::array<std::pair<std::string_view, sim::DemoPinState>, 3> pinStates{{
    {"not_set", sim::DemoPinState::NotSet},
    {"set", sim::DemoPinState::Set},
    {"blocked", sim::DemoPinState::Blocked},
}};
constexpr std::array<std::pair<std::string_view, sim::CardProtocol>, 2> protocols{{
    {"t1", sim::CardProtocol::T1},
    {"t0", sim::CardProtocol::T0},
}};

template <typename Value, std::size_t size>
Value lookUp(const std::array<std::pair<std::string_view, Value>, size>& table,
             std::string_view text, const char* what) {
    for (const auto& [name, value] : table)
        if (name == text) return value;
    throw std::invalid_argument(std::string("unknown ") + what + " \"" + std::string(text) + "\"");
}

// Module.kamusmDemo.createReader: enrols at `apiBase`, then settles `request`. The card's PIN
// state is `pin`, or else the one `operation` starts from.
Task<void> createForPage(int request, std::string apiBase, std::string modelId, std::string pin,
                         std::string operation, std::string protocolId) {
    const std::optional<sim::ReaderModel> model = sim::readerModelById(modelId);
    if (!model) throw std::invalid_argument("unknown reader model \"" + modelId + "\"");
    const sim::DemoPinState pinState =
        pin.empty() ? sim::demoPinStateFor(backend::operationFromString(operation))
                    : lookUp(pinStates, pin, "PIN state");
    const sim::CardProtocol protocol = lookUp(protocols, protocolId, "protocol");
    FetchHttpClient http(apiBase);
    backend::BackendClient backend(http);
    const int id = co_await makeDemoReader(backend, *model, pinState, protocol);
    const std::string description = describe(*demoReaders().at(id).reader, *model);
    kamusm_demo_created(request, id, description.c_str(), "");
}

// Module.kamusmDemo.createCard: enrols at `apiBase`, then settles `request`.
Task<void> createCardForPage(int request, std::string apiBase, std::string pin,
                             std::string protocolId) {
    const sim::DemoPinState pinState = lookUp(pinStates, pin, "PIN state");
    const sim::CardProtocol protocol = lookUp(protocols, protocolId, "protocol");
    FetchHttpClient http(apiBase);
    backend::BackendClient backend(http);
    auto card = co_await sim::enrolDemoCard(backend, pinState, protocol);
    static int nextId = 0;
    demoCards().emplace(++nextId, std::move(card));
    kamusm_demo_card_created(request, nextId, "");
}

// Runs `step` on demo card `id`: its byte count (or 0), or NotFound.
template <typename Step> int onCard(int id, Step step) {
    const auto found = demoCards().find(id);
    if (found == demoCards().end()) return NotFound;
    return step(*found->second);
}

// The failure's text for a page hook's rejection.
std::string reasonOf(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        return error.what();
    } catch (...) {
        return "unknown failure";
    }
}

// The card's PIN state for the fake's test hooks.
constexpr std::array<std::pair<sim::PinState, std::string_view>, 3> pinStateNames{{
    {sim::PinState::NotSet, "not_set"},
    {sim::PinState::Set, "set"},
    {sim::PinState::Blocked, "blocked"},
}};

std::string_view pinStateName(sim::PinState state) {
    for (const auto& [candidate, name] : pinStateNames)
        if (candidate == state) return name;
    return "unknown";
}

} // namespace

} // namespace kamusm::platform::web

// The fake USBDevice's calls (demo_reader.js): each returns a byte count or a DemoStatus.
extern "C" {

using kamusm::runSync;
using kamusm::platform::web::onReader;
using kamusm::sim::VirtualReader;
using Card = std::shared_ptr<kamusm::sim::VirtualCard>;

EMSCRIPTEN_KEEPALIVE int kamusm_demo_open(int id) {
    return onReader(id,
                    [](VirtualReader& reader, const Card&) { return runSync(reader.open()), 0; });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_close(int id) {
    return onReader(id,
                    [](VirtualReader& reader, const Card&) { return runSync(reader.close()), 0; });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_select_configuration(int id, int value) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        return runSync(reader.selectConfiguration(static_cast<std::uint8_t>(value))), 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_claim_interface(int id, int number) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        return runSync(reader.claimInterface(static_cast<std::uint8_t>(number))), 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_release_interface(int id, int number) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        return runSync(reader.releaseInterface(static_cast<std::uint8_t>(number))), 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_control_in(int id, int requestType, int recipient, int request,
                                                int value, int index, std::uint8_t* out,
                                                int length) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        const auto setup =
            kamusm::platform::web::controlSetup(requestType, recipient, request, value, index);
        return kamusm::platform::web::copyOut(
            runSync(reader.controlTransferIn(setup, static_cast<std::uint16_t>(length), {})), out,
            length);
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_control_out(int id, int requestType, int recipient,
                                                 int request, int value, int index,
                                                 const std::uint8_t* data, int size) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        const auto setup =
            kamusm::platform::web::controlSetup(requestType, recipient, request, value, index);
        runSync(reader.controlTransferOut(
            setup, kamusm::ByteView(data, static_cast<std::size_t>(size)), {}));
        return size;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_transfer_in(int id, int endpoint, std::uint8_t* out,
                                                 int length) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        return kamusm::platform::web::copyOut(
            runSync(reader.transferIn(static_cast<std::uint8_t>(endpoint),
                                      static_cast<std::size_t>(length), {})),
            out, length);
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_transfer_out(int id, int endpoint, const std::uint8_t* data,
                                                  int size) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        runSync(reader.transferOut(static_cast<std::uint8_t>(endpoint),
                                   kamusm::ByteView(data, static_cast<std::size_t>(size)), {}));
        return size;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_clear_halt(int id, int in, int endpoint) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        return runSync(reader.clearHalt(in != 0, static_cast<std::uint8_t>(endpoint))), 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_reset(int id) {
    return onReader(id,
                    [](VirtualReader& reader, const Card&) { return runSync(reader.reset()), 0; });
}

// Test controls of the fake: the card out and back in (the same card), the reader unplugged.
EMSCRIPTEN_KEEPALIVE int kamusm_demo_remove_card(int id, int slot) {
    return onReader(id, [&](VirtualReader& reader, const Card&) {
        reader.removeCard(static_cast<std::uint8_t>(slot));
        return 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_insert_card(int id, int slot) {
    return onReader(id, [&](VirtualReader& reader, const Card& card) {
        reader.insertCard(static_cast<std::uint8_t>(slot), card);
        return 0;
    });
}

EMSCRIPTEN_KEEPALIVE int kamusm_demo_unplug(int id) {
    return onReader(id, [](VirtualReader& reader, const Card&) {
        reader.faults().disconnected = true;
        return 0;
    });
}

// Module.kamusmDemo.createReader({model, pin | operation, protocol, apiBase}): settled by
// kamusm_demo_created, with the failure's text when enrolment fails.
EMSCRIPTEN_KEEPALIVE void kamusm_demo_create(int request, const char* apiBase, const char* model,
                                             const char* pin, const char* operation,
                                             const char* protocol) {
    kamusm::spawn(
        kamusm::platform::web::createForPage(request, apiBase, model, pin, operation, protocol),
        [request](std::exception_ptr failure) {
            if (!failure) return;
            const std::string reason = kamusm::platform::web::reasonOf(failure);
            kamusm_demo_created(request, 0, "", reason.c_str());
        });
}

// Module.kamusmDemo.createCard({pin, protocol, apiBase}): settled by kamusm_demo_card_created.
EMSCRIPTEN_KEEPALIVE void kamusm_demo_card_create(int request, const char* apiBase, const char* pin,
                                                  const char* protocol) {
    kamusm::spawn(kamusm::platform::web::createCardForPage(request, apiBase, pin, protocol),
                  [request](std::exception_ptr failure) {
                      if (!failure) return;
                      const std::string reason = kamusm::platform::web::reasonOf(failure);
                      kamusm_demo_card_created(request, 0, reason.c_str());
                  });
}

using kamusm::platform::web::onCard;
using kamusm::sim::VirtualCard;

// The card's ATR (as a reader reads it after power-on) into `out`.
EMSCRIPTEN_KEEPALIVE int kamusm_demo_card_atr(int id, std::uint8_t* out, int length) {
    return onCard(id, [&](VirtualCard& card) {
        return kamusm::platform::web::copyOut(card.atr(), out, length);
    });
}

// One command APDU in, the response APDU (data + SW1 SW2) into `out`. The card is reached at the
// APDU level: no T=1 or T=0 in between (a PC/SC stack does that part).
EMSCRIPTEN_KEEPALIVE int kamusm_demo_card_transmit(int id, const std::uint8_t* data, int size,
                                                   std::uint8_t* out, int length) {
    return onCard(id, [&](VirtualCard& card) {
        kamusm::Bytes response =
            card.process(kamusm::ByteView(data, static_cast<std::size_t>(size))).encode();
        const int count = kamusm::platform::web::copyOut(response, out, length);
        kamusm::wipe(response);
        return count;
    });
}

// Power off and on: the verified PIN, a challenge and an authorization are gone.
EMSCRIPTEN_KEEPALIVE int kamusm_demo_card_power_cycle(int id) {
    return onCard(id, [](VirtualCard& card) { return card.reset(), 0; });
}

// {"pin": "not_set" | "set" | "blocked", "tries_left", "verified", "puk_commands"} as an
// allocated C string (the caller frees it), or null for an unknown id.
EMSCRIPTEN_KEEPALIVE char* kamusm_demo_card_state(int id) {
    const auto found = kamusm::platform::web::demoCards().find(id);
    if (found == kamusm::platform::web::demoCards().end()) return nullptr;
    const VirtualCard& card = *found->second;
    const std::string text =
        kamusm::json::Value::object({{"pin", kamusm::platform::web::pinStateName(card.pinState())},
                                     {"tries_left", card.pinTriesLeft()},
                                     {"verified", card.pinVerified()},
                                     {"puk_commands", card.pukCommandsSeen()}})
            .dump();
    char* copy = static_cast<char*>(std::malloc(text.size() + 1));
    std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

EMSCRIPTEN_KEEPALIVE void kamusm_demo_card_release(int id) {
    kamusm::platform::web::demoCards().erase(id);
}
}
