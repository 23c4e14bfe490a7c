// The reader owner: the one place that holds the readers of the transport in use, follows their
// cards going in and out and the readers going away, and hands connected cards to the wizard.
// It is the parent of every task on a reader: closing it (or losing a reader) cancels the tasks
// still waiting on that reader and awaits them, rather than each caller cleaning up by hand.
#pragma once

#include "kamusm/base/cancel.hpp"
#include "kamusm/base/error.hpp"
#include "kamusm/reader/transport.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::reader {

enum class ErrorCode {
    CardRemoved, // the card left its slot while it was connected
    ReaderLost,  // the reader went away, or the owner was closed
    Released,    // the card was released (its operation is over)
    NoTransport, // no transport in use
};
inline constexpr char layerName[] = "reader";
using Error = LayerError<ErrorCode, layerName>;

// ReaderLost: a reader went away while its card was connected (ReaderRemoved otherwise).
enum class EventKind { ReaderAdded, ReaderRemoved, CardInserted, CardRemoved, ReaderLost };
struct Event {
    EventKind kind;
    std::string slot;
    friend bool operator==(const Event&, const Event&) = default;
};

// What tells the owner's events, one by one, in the order they happened.
using EventListener = std::function<void(const Event&)>;

class Owner {
public:
    explicit Owner(EventListener listener = {});
    ~Owner();
    Owner(const Owner&) = delete;
    Owner& operator=(const Owner&) = delete;

    // Makes `transport` the one in use; the one before is closed first.
    Task<void> use(std::unique_ptr<Transport> transport);
    std::optional<TransportKind> transport() const;

    // The slots as last seen, and a fresh look (events for what changed since).
    const std::vector<Slot>& slots() const { return slots_; }
    Task<void> refresh();
    // Follows the slots in the background until close(), telling each change as an event.
    void watch();
    // Why the watch ended with every reader lost, when the transport failed as a whole (the
    // PC/SC service or the desktop helper stopped); null while it runs or when nothing failed.
    // Set before the events of the loss are told.
    std::exception_ptr watchFailure() const { return watchFailure_; }

    // The card in `slot`, connected once and kept until it is released, removed or lost. Calls
    // on it after that throw reader::Error (CardRemoved / ReaderLost).
    Task<std::shared_ptr<Card>> connect(const std::string& slot);
    // Disconnects the card (reset) and forgets it; a card that failed is let go the same way,
    // so that the next connect() powers it afresh.
    Task<void> release(const std::string& slot);
    Task<void> releaseAll();
    // Cancels every task on the readers, awaits them, disconnects the cards and closes the
    // transport.
    Task<void> close();

    // Tasks on the readers still running (tests: none may be left after close()).
    std::size_t running() const { return scope_ ? scope_->running() : 0; }

private:
    class OwnedCard;
    struct Connected {
        std::string slot;
        std::shared_ptr<OwnedCard> card;
    };

    Task<void> watchLoop();
    Task<std::vector<Slot>> listedOrNone();
    void apply(const std::vector<Slot>& now);
    // Forgets the connected card of `slot`; true when there was one.
    bool lose(const std::string& slot, ErrorCode reason);
    void emit(EventKind kind, const std::string& slot);

    EventListener listener_;
    std::unique_ptr<Transport> transport_;
    std::unique_ptr<TaskScope> scope_; // the parent of every task on the transport's readers
    // One call at a time reaches the transport (a CCID reader has one bulk pipe, a PC/SC
    // context one call); only the wait for a change runs beside them.
    AsyncMutex calls_;
    std::vector<Slot> slots_;
    std::vector<Connected> connected_;
    // Every card handed out that may still be held: its transport objects go before the
    // transport does.
    std::vector<std::weak_ptr<OwnedCard>> issued_;
    bool watching_ = false;
    std::exception_ptr watchFailure_;
};

} // namespace kamusm::reader
