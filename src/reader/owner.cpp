#include "kamusm/reader/owner.hpp"

#include <algorithm>
#include <utility>

namespace kamusm::reader {

// The card as the wizard holds it: every call runs as a task of the owner's scope, and once the
// card is gone (removed, released, reader lost) calls fail with that reason instead of reaching
// transport objects that may no longer exist.
class Owner::OwnedCard final : public Card {
public:
    OwnedCard(std::unique_ptr<Card> inner, TaskScope& scope, AsyncMutex& calls)
        : inner_(std::move(inner)), scope_(&scope), calls_(&calls), atr_(inner_->atr()),
          extended_(inner_->extendedApdus()) {}

    const iso7816::Atr& atr() const override { return atr_; }
    bool extendedApdus() const override { return extended_; }
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        InFlight call(*this);
        co_return co_await live().run(serialized(*calls_, inner_->transmitRaw(command)));
    }
    Task<void> beginTransaction() override {
        InFlight call(*this);
        co_await live().run(serialized(*calls_, inner_->beginTransaction()));
    }
    Task<void> endTransaction() override {
        InFlight call(*this);
        co_await live().run(serialized(*calls_, inner_->endTransaction()));
    }
    Task<void> disconnect() override {
        InFlight call(*this);
        TaskScope& scope = live();
        lost_ = ErrorCode::Released;
        co_await scope.run(serialized(*calls_, inner_->disconnect()));
    }

    // After the owner's scope was cancelled and joined: the reset goes outside it.
    Task<void> disconnectUnscoped() {
        if (!inner_) co_return;
        lost_ = ErrorCode::Released;
        co_await inner_->disconnect();
    }

    bool gone() const { return lost_.has_value(); }
    // The transport's card goes at once unless one of its calls is under way; then when that
    // call ends.
    void lose(ErrorCode reason) {
        if (!lost_) lost_ = reason;
        if (inFlight_ == 0) drop();
    }
    void drop() {
        inner_.reset();
        lost_ = lost_.value_or(ErrorCode::ReaderLost);
    }

private:
    // Counts a call of the card from its start to its end.
    class InFlight {
    public:
        explicit InFlight(OwnedCard& card) : card_(card) { ++card_.inFlight_; }
        ~InFlight() {
            if (--card_.inFlight_ == 0 && card_.lost_ && card_.inner_) card_.drop();
        }
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;

    private:
        OwnedCard& card_;
    };

    TaskScope& live() {
        if (lost_ || !inner_) throw Error(lost_.value_or(ErrorCode::ReaderLost), reasonText());
        return *scope_;
    }
    std::string reasonText() const {
        switch (lost_.value_or(ErrorCode::ReaderLost)) {
        case ErrorCode::CardRemoved:
            return "the card was taken out";
        case ErrorCode::Released:
            return "the card was released";
        default:
            return "the reader went away";
        }
    }

    std::unique_ptr<Card> inner_;
    TaskScope* scope_;
    AsyncMutex* calls_;
    iso7816::Atr atr_;
    bool extended_;
    std::optional<ErrorCode> lost_;
    int inFlight_ = 0;
};

Owner::Owner(EventListener listener)
    : listener_(std::move(listener)), scope_(std::make_unique<TaskScope>()) {}

Owner::~Owner() {
    // close() was awaited by whoever ends the owner; here only what never suspended remains.
    scope_->cancel();
    for (const auto& weak : issued_)
        if (auto card = weak.lock()) card->drop();
}

std::optional<TransportKind> Owner::transport() const {
    if (!transport_) return std::nullopt;
    return transport_->kind();
}

Task<void> Owner::use(std::unique_ptr<Transport> transport) {
    if (transport_) co_await close();
    transport_ = std::move(transport);
}

Task<void> Owner::refresh() {
    if (!transport_) throw Error(ErrorCode::NoTransport, "no card reader transport in use");
    apply(co_await scope_->run(serialized(calls_, transport_->slots())));
}

void Owner::watch() {
    if (watching_ || !transport_) return;
    watching_ = true;
    watchFailure_ = nullptr;
    scope_->spawn(watchLoop(), [this](std::exception_ptr) { watching_ = false; });
}

// The transport failing as a whole (the PC/SC service stopped, a USB error of the watched
// reader) ends the watch with every reader lost; cancellation ends it quietly.
Task<void> Owner::watchLoop() {
    std::exception_ptr failure;
    try {
        for (;;) {
            co_await transport_->waitForChange();
            apply(co_await listedOrNone());
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (!scope_->cancelled()) {
        watchFailure_ = failure;
        apply({});
    }
    std::rethrow_exception(failure);
}

// A look at the slots that fails (no reader could be opened, the service is gone) shows none;
// whoever asks next (refresh) hears why.
Task<std::vector<Slot>> Owner::listedOrNone() {
    try {
        co_return co_await serialized(calls_, transport_->slots());
    } catch (const kamusm::Error&) {
        if (scope_->cancelled()) throw;
    }
    co_return std::vector<Slot>{};
}

Task<std::shared_ptr<Card>> Owner::connect(const std::string& slot) {
    if (!transport_) throw Error(ErrorCode::NoTransport, "no card reader transport in use");
    for (const Connected& connected : connected_)
        if (connected.slot == slot && !connected.card->gone()) co_return connected.card;
    std::unique_ptr<Card> inner =
        co_await scope_->run(serialized(calls_, transport_->connect(slot)));
    auto card = std::make_shared<OwnedCard>(std::move(inner), *scope_, calls_);
    std::erase_if(connected_, [&](const Connected& c) { return c.slot == slot; });
    std::erase_if(issued_, [](const std::weak_ptr<OwnedCard>& weak) { return weak.expired(); });
    connected_.push_back({slot, card});
    issued_.push_back(card);
    co_return card;
}

Task<void> Owner::release(const std::string& slot) {
    const auto found = std::find_if(connected_.begin(), connected_.end(),
                                    [&](const Connected& c) { return c.slot == slot; });
    if (found == connected_.end()) co_return;
    std::shared_ptr<OwnedCard> card = found->card;
    connected_.erase(found);
    try {
        if (!card->gone()) co_await card->disconnect();
    } catch (const Error&) {
        // The card or its reader is already gone: nothing is left on it.
    } catch (const kamusm::Error&) {
        // The transport failed to reset a card that is going anyway.
    }
    card->lose(ErrorCode::Released);
}

Task<void> Owner::releaseAll() {
    while (!connected_.empty())
        co_await release(connected_.front().slot);
}

Task<void> Owner::close() {
    scope_->cancel(std::make_exception_ptr(Error(ErrorCode::ReaderLost, "the reader was closed")));
    co_await scope_->join();
    for (const Connected& connected : connected_) {
        try {
            if (!connected.card->gone()) co_await connected.card->disconnectUnscoped();
        } catch (const kamusm::Error&) {
            // Gone already.
        }
    }
    for (const auto& weak : issued_)
        if (auto card = weak.lock()) card->drop();
    connected_.clear();
    issued_.clear();
    slots_.clear();
    if (transport_) {
        try {
            co_await transport_->close();
        } catch (const kamusm::Error&) {
            // A transport that fails to close has nothing left to give back.
        }
    }
    transport_.reset();
    scope_ = std::make_unique<TaskScope>();
    watching_ = false;
    watchFailure_ = nullptr;
}

// Events in the order a person would see them: readers that went (with their cards), cards
// that went, then readers and cards that came.
void Owner::apply(const std::vector<Slot>& now) {
    const auto find = [](const std::vector<Slot>& in, const std::string& name) {
        return std::find_if(in.begin(), in.end(), [&](const Slot& s) { return s.name == name; });
    };
    const std::vector<Slot> before = std::exchange(slots_, now);
    for (const Slot& old : before) {
        const auto same = find(now, old.name);
        if (same == now.end()) {
            const bool hadCard = lose(old.name, ErrorCode::ReaderLost);
            emit(hadCard ? EventKind::ReaderLost : EventKind::ReaderRemoved, old.name);
        } else if (old.cardPresent && !same->cardPresent) {
            lose(old.name, ErrorCode::CardRemoved);
            emit(EventKind::CardRemoved, old.name);
        }
    }
    for (const Slot& slot : now) {
        const auto old = find(before, slot.name);
        if (old == before.end()) emit(EventKind::ReaderAdded, slot.name);
        if (slot.cardPresent && (old == before.end() || !old->cardPresent))
            emit(EventKind::CardInserted, slot.name);
    }
}

bool Owner::lose(const std::string& slot, ErrorCode reason) {
    const auto found = std::find_if(connected_.begin(), connected_.end(),
                                    [&](const Connected& c) { return c.slot == slot; });
    if (found == connected_.end()) return false;
    found->card->lose(reason);
    connected_.erase(found);
    return true;
}

void Owner::emit(EventKind kind, const std::string& slot) {
    if (listener_) listener_({kind, slot});
}

} // namespace kamusm::reader
