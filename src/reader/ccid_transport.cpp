#include "kamusm/reader/ccid_transport.hpp"

#include "kamusm/ccid/reader.hpp"
#include "kamusm/reader/owner.hpp"

#include <algorithm>
#include <cstdio>

namespace kamusm::reader {

namespace {

// An interrupt transfer waits this long before it is started again.
constexpr usb::Milliseconds slotWatchTimeout{60'000};
// Readers without an interrupt endpoint are asked for their cards this often.
constexpr usb::Milliseconds slotPollInterval{1'500};

// "ACS ACR39U ICC Reader 00 00", as pcsc-lite names a reader's slot.
std::string slotName(const std::string& product, int index, std::uint8_t slot) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, " %02d %02d", index, slot);
    return (product.empty() ? std::string("CCID reader") : product) + suffix;
}

// Suspends until its task is cancelled; outside any scope it does not wait at all.
struct UntilCancelled {
    CancellableWait cancellation;
    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> waiting) {
        return cancellation.arm(waiting, [waiting]() mutable { waiting.resume(); }) &&
               cancellationOf(waiting) != nullptr;
    }
    void await_resume() {
        cancellation.disarm();
        cancellation.throwIfCancelled();
    }
};

} // namespace

struct CcidTransport::Entry {
    std::unique_ptr<usb::Device> device;
    int index = 0;
    std::unique_ptr<ccid::Reader> reader; // once opened
    std::vector<bool> present;            // per slot, as last seen
    int cards = 0;                        // connected cards (their sessions use the bulk pipe)
    bool gone = false;                    // unplugged, or it could not be opened
    bool watched = false;                 // an interrupt transfer on it is under way

    std::string name(std::uint8_t slot) const {
        return slotName(device->info().product, index, slot);
    }
};

// A powered card in a slot. Our claim of the interface keeps other programs out, so a
// transaction has nothing to do; the power cycle at the end resets the card.
class CcidTransport::SessionCard final : public Card {
public:
    SessionCard(Entry& entry, std::unique_ptr<ccid::CardSession> session)
        : entry_(entry), session_(std::move(session)) {
        ++entry_.cards;
    }
    ~SessionCard() override { --entry_.cards; }

    const iso7816::Atr& atr() const override { return session_->atr(); }
    bool extendedApdus() const override { return session_->extendedApdus(); }
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        return session_->transmitRaw(command);
    }
    Task<void> beginTransaction() override { co_return; }
    Task<void> endTransaction() override { co_return; }
    Task<void> disconnect() override { co_await session_->powerOff(); }

private:
    Entry& entry_;
    std::unique_ptr<ccid::CardSession> session_;
};

CcidTransport::CcidTransport(TransportKind kind, Sleep sleep, ccid::Trace* trace)
    : kind_(kind), sleep_(std::move(sleep)), trace_(trace) {}

CcidTransport::~CcidTransport() = default;

void CcidTransport::addDevice(std::unique_ptr<usb::Device> device) {
    auto entry = std::make_unique<Entry>();
    entry->device = std::move(device);
    entry->index = nextIndex_++;
    entries_.push_back(std::move(entry));
    lastFailure_ = nullptr;
    wake();
}

void CcidTransport::removeDevice(const usb::Device& device) {
    removeDeviceIf([&](const usb::Device& candidate) { return &candidate == &device; });
}

void CcidTransport::removeDeviceIf(const std::function<bool(const usb::Device&)>& gone) {
    for (auto& entry : entries_)
        if (gone(*entry->device)) entry->gone = true;
    wake();
}

std::size_t CcidTransport::deviceCount() const {
    return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                  [](const auto& entry) { return !entry->gone; }));
}

// Readers that fail to open, or go away while asked, leave the list; the last failure is what
// callers hear while no reader is left to show (until another is handed over).
Task<std::vector<Slot>> CcidTransport::slots() {
    forgetGone();
    std::vector<Slot> found;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        Entry& entry = *entries_[i];
        if (entry.gone) continue;
        std::vector<Slot> own;
        try {
            if (!entry.reader) co_await open(entry);
            for (std::uint8_t slot = 0; slot < entry.reader->slotCount(); ++slot)
                own.push_back({entry.name(slot), co_await slotPresent(entry, slot)});
        } catch (const kamusm::Error&) {
            entry.gone = true;
            lastFailure_ = std::current_exception();
        }
        if (!entry.gone) found.insert(found.end(), own.begin(), own.end());
    }
    if (found.empty() && lastFailure_) std::rethrow_exception(lastFailure_);
    co_return found;
}

Task<void> CcidTransport::open(Entry& entry) {
    entry.reader = co_await ccid::Reader::open(*entry.device, trace_);
    entry.present.assign(entry.reader->slotCount(), false);
}

// A slot whose card is connected keeps its last state: GetSlotStatus would share the bulk pipe
// with the card's own commands, and the interrupt endpoint tells its removal. A garbled reply
// keeps it too; a reader that went away throws (usb::Error).
Task<bool> CcidTransport::slotPresent(Entry& entry, std::uint8_t slot) {
    if (entry.cards != 0) co_return entry.present[slot];
    try {
        entry.present[slot] = co_await entry.reader->slotStatus(slot) != ccid::IccStatus::Absent;
    } catch (const ccid::Error&) {
        // A garbled or refused reply: the last state stands.
    }
    co_return entry.present[slot];
}

Task<void> CcidTransport::waitForChange() {
    const auto watchable = std::find_if(entries_.begin(), entries_.end(), [](const auto& e) {
        return !e->gone && e->reader && e->reader->interface().interruptIn;
    });
    const bool polled = std::any_of(entries_.begin(), entries_.end(), [](const auto& e) {
        return !e->gone && (!e->reader || !e->reader->interface().interruptIn);
    });
    if (watchable != entries_.end())
        co_await wakeable(awaitSlotChange(**watchable));
    else if (polled && sleep_)
        co_await wakeable(sleep_(slotPollInterval));
    else if (!polled)
        co_await wakeable(untilWoken());
}

// No reader to follow: only a device change (or the caller's cancellation) ends the wait.
Task<void> CcidTransport::untilWoken() {
    co_await UntilCancelled{};
}

// One interrupt transfer: NotifySlotChange updates the slots; a reader that went away is gone.
Task<void> CcidTransport::awaitSlotChange(Entry& entry) {
    entry.watched = true;
    try {
        for (const ccid::SlotEvent& event :
             co_await entry.reader->pollSlotChanges(slotWatchTimeout))
            if (event.slot < entry.present.size()) entry.present[event.slot] = event.cardPresent;
    } catch (const usb::Error& error) {
        if (error.code() != usb::ErrorCode::Timeout) entry.gone = true;
    } catch (const ccid::Error&) {
        // A garbled interrupt message: the next one counts.
    }
    entry.watched = false;
}

Task<void> CcidTransport::wakeable(Task<void> task) {
    Cancellation* outer = co_await currentCancellation();
    TaskScope wait;
    Cancellation::Registration link;
    if (outer) link = outer->onRequest([&wait] { wait.cancel(); });
    waiting_ = &wait;
    std::exception_ptr failure;
    try {
        co_await wait.run(std::move(task));
    } catch (...) {
        failure = std::current_exception();
    }
    waiting_ = nullptr;
    if (outer && outer->requested()) outer->rethrow();
    if (failure && !wait.cancelled()) std::rethrow_exception(failure);
}

void CcidTransport::wake() {
    if (waiting_) waiting_->cancel();
}

// A reader that went away is dropped once nothing refers to it any more.
void CcidTransport::forgetGone() {
    std::erase_if(entries_, [](const auto& entry) {
        return entry->gone && entry->cards == 0 && !entry->watched;
    });
}

Task<std::unique_ptr<Card>> CcidTransport::connect(const std::string& slot) {
    for (auto& entry : entries_) {
        if (entry->gone || !entry->reader) continue;
        for (std::uint8_t index = 0; index < entry->reader->slotCount(); ++index) {
            if (entry->name(index) != slot) continue;
            std::unique_ptr<ccid::CardSession> session = co_await entry->reader->connect(index);
            entry->present[index] = true;
            co_return std::make_unique<SessionCard>(*entry, std::move(session));
        }
    }
    throw Error(ErrorCode::ReaderLost, "no reader slot " + slot);
}

Task<void> CcidTransport::close() {
    for (auto& entry : entries_) {
        if (!entry->reader || entry->gone) continue;
        try {
            co_await entry->reader->close();
        } catch (const kamusm::Error&) {
            // Unplugged meanwhile: nothing to release.
        }
    }
    forgetGone();
    entries_.clear();
}

} // namespace kamusm::reader
