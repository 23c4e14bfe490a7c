// How APDUs reach a card (design.md, "Transports"): one interface over PC/SC (navigator.smartCard,
// the desktop helper, pcsc-lite) and over our own CCID stack (WebUSB, libusb, the demo reader),
// so that the reader owner and the wizard above never know which one it is.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/channel.hpp"

#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm::reader {

// The ids of interfaces.md (kamusmPin.state().transport) and of pinctl.
enum class TransportKind { SmartCard, Helper, WebUsb, Demo, Pcsc, Usb, Sim };
inline constexpr int transportKindCount = static_cast<int>(TransportKind::Sim) + 1;
std::string_view transportId(TransportKind kind); // "smartcard", "helper", "webusb", "demo", …
// Whether the operating system's PC/SC stack carries the APDUs (else our CCID stack does).
bool throughOperatingSystem(TransportKind kind);

// A card connected through a transport.
class Card : public iso7816::Channel {
public:
    virtual const iso7816::Atr& atr() const = 0;
    // Around each PIN operation: no other program's APDUs reach the card meanwhile (PC/SC);
    // a CCID reader claimed by us has nobody else.
    virtual Task<void> beginTransaction() = 0;
    virtual Task<void> endTransaction() = 0;
    // Ends the connection with the card reset, so that no verified PIN or challenge survives.
    virtual Task<void> disconnect() = 0;
};

// A place a card can be: a PC/SC reader, or one slot of a CCID reader.
struct Slot {
    std::string name; // unique within the transport
    bool cardPresent = false;
    friend bool operator==(const Slot&, const Slot&) = default;
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual TransportKind kind() const = 0;
    // Every slot now, with whether a card is in it.
    virtual Task<std::vector<Slot>> slots() = 0;
    // Resumes when the slots or their cards may have changed since the last slots(); settles
    // with the task's cancellation.
    virtual Task<void> waitForChange() = 0;
    // Powers and connects the card in `slot` (throws the transport's errors: no card, mute …).
    virtual Task<std::unique_ptr<Card>> connect(const std::string& slot) = 0;
    // Releases everything the transport holds (USB interfaces, the PC/SC context).
    virtual Task<void> close() = 0;
};

// A transport that could not be established (the permission refused, no PC/SC service, a
// policy): it has no slots and every call says why, so that the wizard tells the holder what
// to do.
class UnavailableTransport final : public Transport {
public:
    UnavailableTransport(TransportKind kind, std::exception_ptr why)
        : kind_(kind), why_(std::move(why)) {}
    TransportKind kind() const override { return kind_; }
    Task<std::vector<Slot>> slots() override;
    Task<void> waitForChange() override;
    Task<std::unique_ptr<Card>> connect(const std::string& slot) override;
    Task<void> close() override { co_return; }

private:
    TransportKind kind_;
    std::exception_ptr why_;
};

} // namespace kamusm::reader
