// Awaiting a JavaScript Promise from a coroutine. A bridge's JS half starts the Promise under a
// request id and, when it settles, reports the outcome through kamusm_promise_settled
// (src/platform/web/promise.js); the awaiter registered under that id resumes its coroutine.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/base/cancel.hpp"
#include "kamusm/base/coroutine.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kamusm::platform::web {

// How a Promise ended, as the JS half reports it.
struct PromiseOutcome {
    enum class Kind { Resolved = 0, Rejected = 1, TimedOut = 2 };
    Kind kind = Kind::Resolved;
    int number = 0;   // what the bridge counts: a device handle, an HTTP status, bytes written
    Bytes bytes;      // data read
    std::string text; // Rejected: "<error name>: <message>"; otherwise the bridge's detail

    // A rejection's error name ("NotFoundError", "TypeError") and message.
    std::string_view errorName() const;
    std::string_view errorMessage() const;
};

// co_await JsPromise{[&](int id) { kamusm_bridge_start(id, ...); }}: `start` hands the id to the
// JS half, which settles it from a Promise callback, never from inside `start` itself. When the
// awaiting task is cancelled the wait ends at once with the cancellation's reason, and the JS
// call is abandoned as after a timeout.
class JsPromise {
public:
    explicit JsPromise(std::function<void(int id)> start) : start_(std::move(start)) {}
    JsPromise(const JsPromise&) = delete;
    JsPromise& operator=(const JsPromise&) = delete;
    // A frame destroyed while it waits unregisters its id: a late settle resumes nothing.
    ~JsPromise();

    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> waiting) {
        if (!cancellation_.arm(waiting, [this] { abandon(); })) return false;
        return suspend(waiting);
    }
    PromiseOutcome await_resume() {
        cancellation_.disarm();
        cancellation_.throwIfCancelled();
        return std::move(*outcome_);
    }

    // Called by kamusm_promise_settled.
    void settle(PromiseOutcome outcome);

private:
    bool suspend(coro::coroutine_handle<> waiting);
    void abandon();

    std::function<void(int id)> start_;
    CancellableWait cancellation_;
    int id_ = 0; // 0: not registered
    coro::coroutine_handle<> waiting_;
    std::optional<PromiseOutcome> outcome_;
};

} // namespace kamusm::platform::web
