// A scripted usb::Device for byte-exact reader tests: it records every call and every bulk-OUT
// message, and answers bulk-IN and interrupt-IN from queues. An empty queue is a transfer
// timeout, so a test can never hang waiting for a reply.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/usb/device.hpp"

#include <deque>
#include <string>
#include <variant>
#include <vector>

namespace kamusm::ccid::test {

// What one IN transfer yields: bytes, or a USB error.
using InResult = std::variant<Bytes, usb::ErrorCode>;

class FakeDevice : public usb::Device {
public:
    usb::DeviceInfo deviceInfo;
    Bytes configuration;
    bool opened = false;
    std::vector<std::string> calls;   // "open", "select 1", "claim 0", "clearHalt in 2" ...
    std::vector<Bytes> sent;          // bulk-OUT messages, in order
    std::vector<long> inTimeouts;     // the timeout of every bulk-IN transfer, ms
    std::deque<InResult> bulkIn;      // replies, in order
    std::deque<InResult> interruptIn; // interrupt messages, in order
    std::optional<usb::ErrorCode> claimError;
    std::optional<usb::ErrorCode> outError; // every bulk-OUT fails with this
    std::optional<Bytes> dataRates;         // GET_DATA_RATES answer; none: refused

    std::uint8_t bulkInEndpoint = 2, interruptEndpoint = 3;

    usb::DeviceInfo info() const override { return deviceInfo; }
    Task<void> open() override {
        calls.push_back("open");
        opened = true;
        co_return;
    }
    Task<void> close() override {
        calls.push_back("close");
        opened = false;
        co_return;
    }
    Task<void> selectConfiguration(std::uint8_t value) override {
        calls.push_back("select " + std::to_string(value));
        co_return;
    }
    Task<void> claimInterface(std::uint8_t number) override {
        calls.push_back("claim " + std::to_string(number));
        if (claimError) throw usb::Error(*claimError, "claim refused");
        co_return;
    }
    Task<void> releaseInterface(std::uint8_t number) override {
        calls.push_back("release " + std::to_string(number));
        co_return;
    }
    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds) override {
        // As WebUSB: no control transfer on a closed device.
        if (!opened) throw usb::Error(usb::ErrorCode::Io, "device is not open");
        if (setup.requestType == usb::RequestType::Class) {
            calls.push_back("class " + std::to_string(setup.bRequest) + " " +
                            std::to_string(length));
            if (!dataRates) throw usb::Error(usb::ErrorCode::AccessDenied, "protected class");
            co_return *dataRates;
        }
        calls.push_back("control " + std::to_string(setup.wValue >> 8) + " " +
                        std::to_string(length));
        co_return Bytes(configuration.begin(),
                        configuration.begin() +
                            std::min<std::size_t>(length, configuration.size()));
    }
    Task<void> controlTransferOut(usb::ControlSetup, ByteView, usb::Milliseconds) override {
        co_return;
    }
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t, usb::Milliseconds timeout) override {
        std::deque<InResult>& queue = endpoint == interruptEndpoint ? interruptIn : bulkIn;
        if (endpoint == bulkInEndpoint) inTimeouts.push_back(static_cast<long>(timeout.count()));
        if (queue.empty()) throw usb::Error(usb::ErrorCode::Timeout, "nothing scripted");
        InResult result = std::move(queue.front());
        queue.pop_front();
        if (auto* code = std::get_if<usb::ErrorCode>(&result)) throw usb::Error(*code, "scripted");
        co_return std::get<Bytes>(std::move(result));
    }
    Task<void> transferOut(std::uint8_t, ByteView data, usb::Milliseconds) override {
        if (outError) throw usb::Error(*outError, "scripted");
        sent.emplace_back(data.begin(), data.end());
        co_return;
    }
    Task<void> clearHalt(bool in, std::uint8_t endpoint) override {
        calls.push_back(std::string("clearHalt ") + (in ? "in " : "out ") +
                        std::to_string(endpoint));
        co_return;
    }
    Task<void> reset() override {
        calls.push_back("reset");
        co_return;
    }

    void reply(std::string_view hex) { bulkIn.emplace_back(fromHex(hex)); }
    void reply(Bytes bytes) { bulkIn.emplace_back(std::move(bytes)); }
    void fail(usb::ErrorCode code) { bulkIn.emplace_back(code); }
};

// A USB configuration around a CCID class descriptor (the known readers' layout: bulk-OUT 2,
// bulk-IN 2, interrupt-IN 3 unless left out).
inline Bytes configurationFor(const ClassDescriptor& descriptor, bool interrupt = true) {
    const Bytes classBytes = descriptor.encode();
    const Bytes endpoints = fromHex(std::string("07 05 02 02 4000 00 07 05 82 02 4000 00") +
                                    (interrupt ? "07 05 83 03 0800 10" : ""));
    const std::size_t total = 9 + 9 + classBytes.size() + endpoints.size();
    Bytes out = fromHex("09 02 0000 01 01 00 80 32");
    out[2] = static_cast<std::uint8_t>(total);
    out[3] = static_cast<std::uint8_t>(total >> 8);
    const Bytes interfaceBytes =
        fromHex(interrupt ? "09 04 00 00 03 0B 00 00 00" : "09 04 00 00 02 0B 00 00 00");
    out.insert(out.end(), interfaceBytes.begin(), interfaceBytes.end());
    out.insert(out.end(), classBytes.begin(), classBytes.end());
    out.insert(out.end(), endpoints.begin(), endpoints.end());
    return out;
}

// A known reader's class descriptor, for tests that change a field or two.
inline ClassDescriptor knownDescriptor(std::string_view id) {
    const Bytes& configuration = knownReader(id).configurationDescriptor;
    return ClassDescriptor::parse(ByteView(configuration).subspan(18, classDescriptorLength));
}

inline void setUp(FakeDevice& device, std::string_view id) {
    const KnownReader& reader = knownReader(id);
    device.deviceInfo = {reader.idVendor, reader.idProduct, reader.bcdDevice, "", "", ""};
    device.configuration = reader.configurationDescriptor;
}

} // namespace kamusm::ccid::test
