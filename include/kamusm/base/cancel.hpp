// Structured cancellation for the single-threaded tasks (design.md, "Async model").
//
// A TaskScope is the parent of the tasks it runs: they inherit its Cancellation through every
// co_await, and the leaf awaiters that wait on the outside world (a Promise, a timer, a PC/SC
// status change) register with it. Cancelling the scope settles those leaves at once with the
// scope's reason, so each child unwinds by its own exception path; join() then resumes when
// the last child has finished. Nothing is torn down under a suspended frame.
#pragma once

#include "kamusm/base/error.hpp"
#include "kamusm/base/task.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>

namespace kamusm {

// The reason a cancelled wait throws when its scope gave none.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

class Cancellation {
public:
    Cancellation() = default;
    ~Cancellation() { *alive_ = false; }
    Cancellation(const Cancellation&) = delete;
    Cancellation& operator=(const Cancellation&) = delete;

    bool requested() const noexcept { return requested_; }
    // The reason given to request() (Cancelled when none).
    [[noreturn]] void rethrow() const;
    // Settles every registered wait, in registration order. A second request keeps the first
    // reason.
    void request(std::exception_ptr reason = {});

    // A callback run once on request; unregistered when the registration is destroyed.
    class Registration {
    public:
        Registration() = default;
        Registration(Cancellation* owner, int id) : owner_(owner), id_(id) {}
        Registration(Registration&& other) noexcept;
        Registration& operator=(Registration&& other) noexcept;
        ~Registration() { reset(); }
        void reset();

    private:
        Cancellation* owner_ = nullptr;
        int id_ = 0;
    };
    [[nodiscard]] Registration onRequest(std::function<void()> callback);

private:
    bool requested_ = false;
    std::exception_ptr reason_;
    // A callback may end the frame this cancellation lives in (a scope local to a coroutine):
    // request() stops touching it then.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    int nextId_ = 0;
    std::map<int, std::function<void()>> callbacks_;
};

// A leaf awaiter's link to its task's cancellation: arm() in await_suspend with the waiting
// coroutine and what settles the wait; false means the scope is already cancelled, so the
// awaiter should not suspend, and await_resume should call throwIfCancelled().
class CancellableWait {
public:
    template <typename P>
    bool arm(coro::coroutine_handle<P> waiting, std::function<void()> settleCancelled) {
        cancellation_ = cancellationOf(waiting);
        if (!cancellation_) return true;
        if (cancellation_->requested()) return false;
        registration_ = cancellation_->onRequest(std::move(settleCancelled));
        return true;
    }
    void disarm() { registration_.reset(); }
    void throwIfCancelled() const {
        if (cancellation_ && cancellation_->requested()) cancellation_->rethrow();
    }

private:
    Cancellation* cancellation_ = nullptr;
    Cancellation::Registration registration_;
};

// co_await currentCancellation(): the running task's cancellation (null outside any scope), for
// a task that must pass a cancellation on into a scope of its own.
struct CurrentCancellation {
    Cancellation* found = nullptr;
    bool await_ready() const noexcept { return false; }
    template <typename P> bool await_suspend(coro::coroutine_handle<P> running) noexcept {
        found = cancellationOf(running);
        return false;
    }
    Cancellation* await_resume() const noexcept { return found; }
};
inline CurrentCancellation currentCancellation() {
    return {};
}

class TaskScope {
public:
    TaskScope() = default;
    TaskScope(const TaskScope&) = delete;
    TaskScope& operator=(const TaskScope&) = delete;
    // A scope is joined before it goes: a child still running would outlive its parent.
    ~TaskScope();

    std::size_t running() const noexcept { return running_; }
    bool cancelled() const noexcept { return cancellation_.requested(); }
    Cancellation& cancellation() noexcept { return cancellation_; }

    // Runs `task` as a child of this scope; the caller awaits it. A cancelled scope starts
    // nothing: the child throws the scope's reason.
    template <typename T> Task<T> run(Task<T> task) {
        Child child(*this);
        if (cancellation_.requested()) cancellation_.rethrow();
        task.bind(cancellation_);
        if constexpr (std::is_void_v<T>)
            co_await std::move(task);
        else
            co_return co_await std::move(task);
    }
    // Starts `task` as a child nobody awaits; `done` gets its failure (nullptr on success).
    void spawn(Task<void> task, std::function<void(std::exception_ptr)> done = {});

    void cancel(std::exception_ptr reason = {}) { cancellation_.request(std::move(reason)); }
    // Resumes when no child runs any more.
    Task<void> join();

private:
    // Counts a child from its start to its end, and wakes join() after the last one.
    class Child {
    public:
        explicit Child(TaskScope& scope) : scope_(scope) { ++scope_.running_; }
        ~Child();
        Child(const Child&) = delete;
        Child& operator=(const Child&) = delete;

    private:
        TaskScope& scope_;
    };
    struct Joined {
        TaskScope& scope;
        bool await_ready() const noexcept { return scope.running_ == 0; }
        void await_suspend(coro::coroutine_handle<> waiting) { scope.joiner_ = waiting; }
        void await_resume() const noexcept {}
    };

    Cancellation cancellation_;
    std::size_t running_ = 0;
    coro::coroutine_handle<> joiner_;
};

// One task at a time on a shared resource (a reader's bulk pipe, a PC/SC context): lock()
// resumes when the task before has let go, in order of arrival; a waiting task that is cancelled
// leaves the queue.
class AsyncMutex {
public:
    class Lock {
    public:
        explicit Lock(AsyncMutex* mutex = nullptr) : mutex_(mutex) {}
        Lock(Lock&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
        Lock& operator=(Lock&& other) noexcept {
            if (this != &other) {
                release();
                mutex_ = std::exchange(other.mutex_, nullptr);
            }
            return *this;
        }
        ~Lock() { release(); }

    private:
        void release() {
            if (auto* mutex = std::exchange(mutex_, nullptr)) mutex->unlock();
        }
        AsyncMutex* mutex_;
    };

    AsyncMutex() = default;
    AsyncMutex(const AsyncMutex&) = delete;
    AsyncMutex& operator=(const AsyncMutex&) = delete;

    bool locked() const noexcept { return held_; }
    Task<Lock> lock();

private:
    struct Waiter {
        AsyncMutex& mutex;
        coro::coroutine_handle<> waiting;
        CancellableWait cancellation;
        // A frame destroyed while it waits leaves the queue.
        ~Waiter() {
            if (waiting) std::erase(mutex.queue_, this);
        }
        bool await_ready() {
            if (mutex.held_) return false;
            mutex.held_ = true;
            return true;
        }
        template <typename P> bool await_suspend(coro::coroutine_handle<P> handle) {
            if (!cancellation.arm(handle, [this] { leave(); })) return false;
            waiting = handle;
            mutex.queue_.push_back(this);
            return true;
        }
        void await_resume() {
            cancellation.disarm();
            cancellation.throwIfCancelled(); // cancelled before it got the lock
        }
        void leave() {
            std::erase(mutex.queue_, this);
            std::exchange(waiting, {}).resume();
        }
    };
    // Hands the lock to the first waiter (it stays held) or frees it.
    void unlock();

    bool held_ = false;
    std::deque<Waiter*> queue_;
};

// Runs `task` holding `mutex`.
template <typename T> Task<T> serialized(AsyncMutex& mutex, Task<T> task) {
    AsyncMutex::Lock held = co_await mutex.lock();
    if constexpr (std::is_void_v<T>)
        co_await std::move(task);
    else
        co_return co_await std::move(task);
}

} // namespace kamusm
