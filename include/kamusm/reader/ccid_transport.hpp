// Our own CCID stack as a transport: the USB readers the platform hands over (WebUSB devices
// chosen or granted, libusb devices, the demo's virtual reader), each opened once as a
// ccid::Reader, one slot per card place. Card changes come from the first reader's interrupt
// endpoint (NotifySlotChange); readers without one are asked again after a pause.
#pragma once

#include "kamusm/base/cancel.hpp"
#include "kamusm/ccid/trace.hpp"
#include "kamusm/reader/transport.hpp"
#include "kamusm/usb/device.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace kamusm::reader {

class CcidTransport final : public Transport {
public:
    // A timer for readers without an interrupt endpoint (the browser's event loop); without
    // one, waitForChange() returns at once for them.
    using Sleep = std::function<Task<void>(usb::Milliseconds)>;
    explicit CcidTransport(TransportKind kind, Sleep sleep = {}, ccid::Trace* trace = nullptr);
    ~CcidTransport() override;

    // A reader the platform handed over; a waitForChange() under way returns.
    void addDevice(std::unique_ptr<usb::Device> device);
    // The platform saw a device go (USB disconnect event): its slots leave the list.
    void removeDevice(const usb::Device& device);
    void removeDeviceIf(const std::function<bool(const usb::Device&)>& gone);
    std::size_t deviceCount() const;

    // Transport
    TransportKind kind() const override { return kind_; }
    Task<std::vector<Slot>> slots() override;
    Task<void> waitForChange() override;
    Task<std::unique_ptr<Card>> connect(const std::string& slot) override;
    Task<void> close() override;

private:
    struct Entry;
    class SessionCard;
    Task<void> open(Entry& entry);
    Task<bool> slotPresent(Entry& entry, std::uint8_t slot);
    Task<void> awaitSlotChange(Entry& entry);
    // Runs `task` until it ends or addDevice/removeDevice wakes the wait.
    Task<void> wakeable(Task<void> task);
    Task<void> untilWoken();
    void wake();
    void forgetGone();

    TransportKind kind_;
    Sleep sleep_;
    ccid::Trace* trace_;
    std::vector<std::unique_ptr<Entry>> entries_;
    int nextIndex_ = 0;
    std::exception_ptr lastFailure_; // why the last reader left the list
    TaskScope* waiting_ = nullptr;   // the wait a device change ends
};

} // namespace kamusm::reader
