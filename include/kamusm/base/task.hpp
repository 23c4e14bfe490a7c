// A lazy, single-threaded coroutine task: the one async type of the stack (design.md).
//
// In the browser a leaf awaiter suspends until a WebUSB or fetch Promise settles and then resumes
// the innermost coroutine; natively the devices finish at once. Awaiting a task starts it inline
// and, when it finishes without suspending, the caller simply goes on, so long chains of
// synchronous steps never grow the stack.
#pragma once

#include "kamusm/base/coroutine.hpp"

#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace kamusm {

class Cancellation; // kamusm/base/cancel.hpp

namespace detail {

struct PromiseBase {
    coro::coroutine_handle<> continuation;
    bool runningInline = false; // resumed by the awaiter of this task, which is still on the stack
    std::exception_ptr exception;
    // The scope this task runs in: inherited from the awaiting task unless bound; leaf awaiters
    // that wait on the outside world settle at once when it is requested.
    Cancellation* cancellation = nullptr;

    coro::suspend_always initial_suspend() noexcept { return {}; }

    // Resumes the waiting caller directly rather than by symmetric transfer, which would need
    // WebAssembly tail calls. A coroutine counts as suspended once await_suspend runs, so the
    // caller may destroy this frame meanwhile; nothing here touches the frame after resume().
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <typename Promise>
        void await_suspend(coro::coroutine_handle<Promise> self) noexcept {
            PromiseBase& promise = self.promise();
            if (promise.runningInline) return; // the awaiter's resume() returns and goes on
            coro::coroutine_handle<> waiting = promise.continuation;
            if (waiting) waiting.resume();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

} // namespace detail

template <typename T> class Task;

namespace detail {

template <typename T> struct Promise : PromiseBase {
    std::optional<T> value;
    Task<T> get_return_object();
    template <typename U> void return_value(U&& result) { value.emplace(std::forward<U>(result)); }
    T take() { return std::move(*value); }
};

template <> struct Promise<void> : PromiseBase {
    Task<void> get_return_object();
    void return_void() noexcept {}
    void take() {}
};

} // namespace detail

template <typename T> class [[nodiscard]] Task {
public:
    using promise_type = detail::Promise<T>;
    using Handle = coro::coroutine_handle<promise_type>;

    explicit Task(Handle handle) : handle_(handle) {}
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            if (handle_) handle_.destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    ~Task() {
        if (handle_) handle_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    template <typename Caller> bool await_suspend(coro::coroutine_handle<Caller> caller) {
        promise_type& promise = handle_.promise();
        if constexpr (std::is_base_of_v<detail::PromiseBase, Caller>)
            if (!promise.cancellation) promise.cancellation = caller.promise().cancellation;
        promise.continuation = caller;
        promise.runningInline = true;
        handle_.resume();
        promise.runningInline = false;
        return !handle_.done();
    }
    T await_resume() {
        if (handle_.promise().exception) std::rethrow_exception(handle_.promise().exception);
        return handle_.promise().take();
    }

    bool done() const noexcept { return handle_ && handle_.done(); }
    // Starts the task without a waiting caller (top level).
    void start() { handle_.resume(); }
    // Runs the task (and what it awaits) in `cancellation`'s scope instead of its caller's.
    void bind(Cancellation& cancellation) { handle_.promise().cancellation = &cancellation; }

private:
    Handle handle_;
};

namespace detail {
template <typename T> Task<T> Promise<T>::get_return_object() {
    return Task<T>(Task<T>::Handle::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() {
    return Task<void>(Task<void>::Handle::from_promise(*this));
}
} // namespace detail

// The cancellation of the task whose coroutine `handle` is, for leaf awaiters; null outside tasks.
template <typename P> Cancellation* cancellationOf(coro::coroutine_handle<P> handle) noexcept {
    if constexpr (std::is_base_of_v<detail::PromiseBase, P>)
        return handle.promise().cancellation;
    else
        return nullptr;
}

// Runs a task whose awaits all complete synchronously (native devices, the simulator).
template <typename T> T runSync(Task<T> task) {
    task.start();
    if (!task.done())
        throw std::logic_error("task is waiting for an asynchronous event; runSync cannot wait");
    return task.await_resume();
}

namespace detail {
struct Detached {
    struct promise_type {
        Detached get_return_object() noexcept { return {}; }
        coro::suspend_never initial_suspend() noexcept { return {}; }
        coro::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
};
} // namespace detail

// Runs a task to completion in the background (browser event loop) and then calls `done`
// with the failure, or with nullptr on success.
inline detail::Detached spawn(Task<void> task, std::function<void(std::exception_ptr)> done) {
    std::exception_ptr failure;
    try {
        co_await task;
    } catch (...) {
        failure = std::current_exception();
    }
    done(failure);
}

} // namespace kamusm
