// The virtual reader's USB side: descriptors, open/claim bookkeeping, the CCID class requests,
// bulk and interrupt endpoints, and the faults that act on the USB reply stream. The CCID
// commands themselves are reader_firmware.cpp.
#include "kamusm/sim/reader.hpp"

#include "reader_firmware.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/usb/descriptor.hpp"

#include <algorithm>
#include <deque>
#include <random>
#include <set>

namespace kamusm::sim {

namespace {

struct ModelRow {
    ReaderModel model;
    std::string_view id; // also the row of ccid::knownReaders()
    std::string_view manufacturer, product;
};

constexpr ModelRow modelRows[] = {
    {ReaderModel::Acr39u, "acr39u", "ACS", "ACR39U ICC Reader"},
    {ReaderModel::Connect2Sign, "connect2sign", "ArkSigner", "Connect2Sign"},
    {ReaderModel::ExtendedApdu, "extended", "Generic", "EMV Smartcard Reader"},
    {ReaderModel::TwoSlot, "twoslot", "SCM Microsystems Inc.", "SCR331-DI USB Smart Card Reader"},
};

const ModelRow& rowOf(ReaderModel model) {
    return *std::find_if(std::begin(modelRows), std::end(modelRows),
                         [&](const ModelRow& row) { return row.model == model; });
}

// CCID class requests (CCID §5.3).
constexpr std::uint8_t ABORT = 0x01, GET_CLOCK_FREQUENCIES = 0x02, GET_DATA_RATES = 0x03;
constexpr std::uint8_t DESCRIPTOR_STRING = 0x03;
constexpr std::uint16_t langIdEnglishUs = 0x0409;
constexpr std::uint8_t iManufacturer = 1, iProduct = 2;

// Every modelled reader is a full-speed USB 2.0 device with one configuration.
Bytes deviceDescriptor(const ccid::KnownReader& reader) {
    Bytes out{0x12, usb::DESCRIPTOR_DEVICE};
    appendLittle16(out, 0x0200);                     // bcdUSB
    out.insert(out.end(), {0x00, 0x00, 0x00, 0x40}); // class in the interface; bMaxPacketSize0 64
    appendLittle16(out, reader.idVendor);
    appendLittle16(out, reader.idProduct);
    appendLittle16(out, reader.bcdDevice);
    out.insert(out.end(), {iManufacturer, iProduct, 0x00, 0x01});
    return out;
}

Bytes stringDescriptor(std::string_view text) {
    Bytes out{static_cast<std::uint8_t>(2 + 2 * text.size()), DESCRIPTOR_STRING};
    for (char c : text)
        appendLittle16(out, static_cast<std::uint8_t>(c)); // ASCII in UTF-16LE
    return out;
}

// GET_CLOCK_FREQUENCIES: bNumClockSupported values (kHz) from dwDefaultClock to dwMaximumClock
// in equal steps. The dumps give only the count and the two ends; the steps are this model's.
Bytes clockFrequencies(const ccid::ClassDescriptor& d) {
    Bytes out;
    const int count = d.bNumClockSupported;
    for (int i = 0; i < count; ++i) {
        const double step = count > 1 ? (d.dwMaximumClock - d.dwDefaultClock) / (count - 1.0) : 0;
        appendLittle32(out, static_cast<std::uint32_t>(d.dwDefaultClock + i * step));
    }
    return out;
}

// GET_DATA_RATES: every distinct Fi/Di rate at the default clock up to dwMaxDataRate, lowest
// first, at most bNumDataRatesSupported of them.
Bytes dataRates(const ccid::ClassDescriptor& d) {
    std::set<std::uint32_t> rates;
    for (int fidi = 0; fidi < 0x100; ++fidi) {
        const double rate = dataRate(static_cast<std::uint8_t>(fidi), d.dwDefaultClock * 1000.0);
        if (rate > 0 && rate <= d.dwMaxDataRate) rates.insert(static_cast<std::uint32_t>(rate));
    }
    Bytes out;
    for (std::uint32_t rate : rates) {
        if (out.size() / 4 >= d.bNumDataRatesSupported) break;
        appendLittle32(out, rate);
    }
    return out;
}

Bytes truncated(Bytes bytes, std::size_t length) {
    if (bytes.size() > length) bytes.resize(length);
    return bytes;
}

[[noreturn]] void fail(usb::ErrorCode code, const std::string& detail) {
    throw usb::Error(code, detail);
}

} // namespace

const std::vector<ReaderModelInfo>& readerModels() {
    static const std::vector<ReaderModelInfo> models = [] {
        std::vector<ReaderModelInfo> list;
        for (const ModelRow& row : modelRows)
            list.push_back({row.model, row.id, row.product});
        return list;
    }();
    return models;
}

std::optional<ReaderModel> readerModelById(std::string_view id) {
    for (const ModelRow& row : modelRows)
        if (row.id == id) return row.model;
    return std::nullopt;
}

struct VirtualReader::State {
    State(ReaderModel model, std::vector<std::shared_ptr<VirtualCard>> cards)
        : row(rowOf(model)), known(ccid::knownReader(row.id)),
          interface(ccid::findInterface(
              usb::parseConfigurationDescriptor(known.configurationDescriptor))),
          firmware(interface.descriptor, std::move(cards), faults, statistics) {}

    const ModelRow& row;
    const ccid::KnownReader& known;
    ccid::InterfaceInfo interface;
    Faults faults;
    LineStatistics statistics;
    Firmware firmware;

    bool opened = false;
    bool claimed = false;
    bool haltIn = false, haltOut = false;
    std::deque<Bytes> replies; // bulk-IN messages waiting; the front one may be partly read
    std::size_t frontOffset = 0;
    std::mt19937 random{0x4B414D55}; // garbage replies, reproducible

    void checkConnected() const {
        if (faults.disconnected) fail(usb::ErrorCode::Disconnected, "the virtual reader is gone");
    }
    void checkOpen() const {
        checkConnected();
        if (!opened) fail(usb::ErrorCode::Io, "the device is not open");
    }
    void checkEndpoint(std::uint8_t endpoint, std::uint8_t expected, const char* what) const {
        checkOpen();
        if (!claimed || endpoint != expected)
            fail(usb::ErrorCode::NotFound, std::string("endpoint ") + std::to_string(endpoint) +
                                               " is not the claimed interface's " + what);
    }
    // A stall switched on halts both bulk endpoints until the host clears each.
    void applyStall() {
        if (!faults.stall) return;
        faults.stall = false;
        haltIn = haltOut = true;
    }

    Bytes controlIn(const usb::ControlSetup& setup) const;
    void enqueue(const Reply& reply, std::uint8_t commandType);
};

Bytes VirtualReader::State::controlIn(const usb::ControlSetup& setup) const {
    const auto type = static_cast<std::uint8_t>(setup.wValue >> 8);
    const auto index = static_cast<std::uint8_t>(setup.wValue);
    if (setup.requestType == usb::RequestType::Standard && setup.bRequest == usb::GET_DESCRIPTOR) {
        if (type == usb::DESCRIPTOR_DEVICE) return deviceDescriptor(known);
        if (type == usb::DESCRIPTOR_CONFIGURATION && index == 0)
            return known.configurationDescriptor;
        if (type == DESCRIPTOR_STRING && index == 0) {
            Bytes languages{0x04, DESCRIPTOR_STRING};
            appendLittle16(languages, langIdEnglishUs);
            return languages;
        }
        if (type == DESCRIPTOR_STRING && index == iManufacturer)
            return stringDescriptor(row.manufacturer);
        if (type == DESCRIPTOR_STRING && index == iProduct) return stringDescriptor(row.product);
    }
    const bool toInterface = setup.requestType == usb::RequestType::Class &&
                             setup.recipient == usb::Recipient::Interface &&
                             setup.wIndex == interface.bInterfaceNumber && claimed;
    const ccid::ClassDescriptor& d = interface.descriptor;
    if (toInterface && setup.bRequest == GET_CLOCK_FREQUENCIES && d.bNumClockSupported > 0)
        return clockFrequencies(d);
    if (toInterface && setup.bRequest == GET_DATA_RATES && d.bNumDataRatesSupported > 0)
        return dataRates(d);
    fail(usb::ErrorCode::Stall,
         "control request " + std::to_string(setup.bRequest) + " is not supported");
}

// The reply stream with the faults that concern it: stale and time-extension frames before the
// reply, the reply itself garbled or cut short, and a duplicate after it. A time extension the
// card asked for goes right before the reply.
void VirtualReader::State::enqueue(const Reply& answer, std::uint8_t commandType) {
    const ccid::Message& reply = answer.message;
    const auto timeExtension = [&](std::uint8_t multiplier) {
        const auto bStatus = static_cast<std::uint8_t>(0x80 | (reply.bStatus() & 0x03));
        replies.push_back(
            ccid::Message{reply.bMessageType, reply.bSlot, reply.bSeq, {bStatus, multiplier, 0}, {}}
                .encode());
    };
    if (faults.staleFrames > 0) {
        --faults.staleFrames;
        ccid::Message stale = reply;
        --stale.bSeq;
        replies.push_back(stale.encode());
    }
    const bool cardCommand =
        commandType == ccid::PC_to_RDR::IccPowerOn || commandType == ccid::PC_to_RDR::XfrBlock;
    for (int i = 0; cardCommand && i < faults.timeExtensions; ++i)
        timeExtension(0x01);
    if (answer.timeExtension) timeExtension(answer.timeExtension);
    Bytes bytes = reply.encode();
    if (faults.garbageReplies > 0) {
        --faults.garbageReplies;
        std::uniform_int_distribution<int> byte(0, 255);
        for (std::uint8_t& b : bytes)
            b = static_cast<std::uint8_t>(byte(random));
    } else if (faults.truncatedReplies > 0) {
        --faults.truncatedReplies;
        bytes.resize(bytes.size() / 2);
    }
    replies.push_back(bytes);
    if (faults.duplicateFrames > 0) {
        --faults.duplicateFrames;
        replies.push_back(bytes);
    }
}

VirtualReader::VirtualReader(ReaderModel model, std::vector<std::shared_ptr<VirtualCard>> cards)
    : state_(std::make_unique<State>(model, std::move(cards))) {}

VirtualReader::~VirtualReader() = default;

usb::DeviceInfo VirtualReader::info() const {
    return {state_->known.idVendor,           state_->known.idProduct,
            state_->known.bcdDevice,          std::string(state_->row.manufacturer),
            std::string(state_->row.product), ""};
}

Task<void> VirtualReader::open() {
    state_->checkConnected();
    state_->opened = true;
    co_return;
}

Task<void> VirtualReader::close() {
    state_->checkConnected();
    state_->opened = false;
    state_->claimed = false;
    co_return;
}

Task<void> VirtualReader::selectConfiguration(std::uint8_t configurationValue) {
    state_->checkOpen();
    if (configurationValue != state_->known.configurationDescriptor.at(5))
        fail(usb::ErrorCode::NotFound, "no configuration " + std::to_string(configurationValue));
    co_return;
}

Task<void> VirtualReader::claimInterface(std::uint8_t interfaceNumber) {
    state_->checkOpen();
    if (interfaceNumber != state_->interface.bInterfaceNumber)
        fail(usb::ErrorCode::NotFound, "no interface " + std::to_string(interfaceNumber));
    state_->claimed = true;
    co_return;
}

Task<void> VirtualReader::releaseInterface(std::uint8_t interfaceNumber) {
    state_->checkOpen();
    if (!state_->claimed || interfaceNumber != state_->interface.bInterfaceNumber)
        fail(usb::ErrorCode::NotFound,
             "interface " + std::to_string(interfaceNumber) + " is not claimed");
    state_->claimed = false;
    co_return;
}

Task<Bytes> VirtualReader::controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                             usb::Milliseconds) {
    state_->checkOpen();
    co_return truncated(state_->controlIn(setup), length);
}

Task<void> VirtualReader::controlTransferOut(usb::ControlSetup setup, ByteView, usb::Milliseconds) {
    state_->checkOpen();
    const bool abort = setup.requestType == usb::RequestType::Class &&
                       setup.recipient == usb::Recipient::Interface &&
                       setup.wIndex == state_->interface.bInterfaceNumber && state_->claimed &&
                       setup.bRequest == ABORT;
    if (!abort)
        fail(usb::ErrorCode::Stall,
             "control request " + std::to_string(setup.bRequest) + " is not supported");
    // wValue: bSeq << 8 | bSlot; the slot waits for the PC_to_RDR_Abort that follows.
    state_->firmware.controlAbort(static_cast<std::uint8_t>(setup.wValue));
    co_return;
}

Task<Bytes> VirtualReader::transferIn(std::uint8_t endpointNumber, std::size_t length,
                                      usb::Milliseconds) {
    State& s = *state_;
    if (s.interface.interruptIn && endpointNumber == *s.interface.interruptIn) {
        s.checkEndpoint(endpointNumber, *s.interface.interruptIn, "interrupt-IN");
        if (s.firmware.syncPresence())
            co_return truncated(ccid::InterruptMessage{ccid::RDR_to_PC::NotifySlotChange,
                                                       s.firmware.takeSlotChanges()}
                                    .encode(),
                                length);
        auto& errors = s.firmware.hardwareErrors();
        if (!errors.empty()) {
            const Bytes message = errors.front().encode();
            errors.erase(errors.begin());
            co_return truncated(message, length);
        }
        fail(usb::ErrorCode::Timeout, "no slot change");
    }
    s.checkEndpoint(endpointNumber, s.interface.bulkIn, "bulk-IN");
    s.applyStall();
    if (s.haltIn) fail(usb::ErrorCode::Stall, "bulk-IN is halted");
    if (s.faults.silent || s.replies.empty()) fail(usb::ErrorCode::Timeout, "no reply");
    const Bytes& front = s.replies.front();
    if (s.frontOffset == 0) ++s.statistics.messages;
    const std::size_t count = std::min(length, front.size() - s.frontOffset);
    Bytes chunk(front.begin() + static_cast<std::ptrdiff_t>(s.frontOffset),
                front.begin() + static_cast<std::ptrdiff_t>(s.frontOffset + count));
    s.frontOffset += count;
    if (s.frontOffset == front.size()) {
        s.replies.pop_front();
        s.frontOffset = 0;
    }
    s.statistics.usbBytes += chunk.size();
    co_return chunk;
}

Task<void> VirtualReader::transferOut(std::uint8_t endpointNumber, ByteView data,
                                      usb::Milliseconds) {
    State& s = *state_;
    s.checkEndpoint(endpointNumber, s.interface.bulkOut, "bulk-OUT");
    s.applyStall();
    if (s.haltOut) fail(usb::ErrorCode::Stall, "bulk-OUT is halted");
    ++s.statistics.messages;
    s.statistics.usbBytes += data.size();
    if (s.faults.silent) co_return; // a hung reader takes the message and never answers
    if (const auto reply = s.firmware.receive(data)) s.enqueue(*reply, data[0]);
}

Task<void> VirtualReader::clearHalt(bool in, std::uint8_t endpointNumber) {
    State& s = *state_;
    s.checkOpen();
    if (in && endpointNumber == s.interface.bulkIn)
        s.haltIn = false;
    else if (!in && endpointNumber == s.interface.bulkOut)
        s.haltOut = false;
    else
        fail(usb::ErrorCode::NotFound, "no bulk endpoint " + std::to_string(endpointNumber));
    co_return;
}

Task<void> VirtualReader::reset() {
    State& s = *state_;
    s.checkOpen();
    s.firmware.reset();
    s.replies.clear();
    s.frontOffset = 0;
    s.haltIn = s.haltOut = false;
    co_return;
}

Faults& VirtualReader::faults() {
    return state_->faults;
}

void VirtualReader::insertCard(std::uint8_t slot, std::shared_ptr<VirtualCard> card) {
    state_->firmware.setCard(slot, std::move(card));
}

void VirtualReader::removeCard(std::uint8_t slot) {
    state_->firmware.setCard(slot, nullptr);
}

const LineStatistics& VirtualReader::lineStatistics() const {
    return state_->statistics;
}

void VirtualReader::resetStatistics() {
    const std::uint8_t fidi = state_->statistics.fidi;
    state_->statistics = {};
    state_->statistics.fidi = fidi; // the rate stays in force
}

} // namespace kamusm::sim
