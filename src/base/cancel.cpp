#include "kamusm/base/cancel.hpp"

#include <cstdlib>
#include <utility>
#include <vector>

namespace kamusm {

void Cancellation::rethrow() const {
    if (reason_) std::rethrow_exception(reason_);
    throw Cancelled();
}

void Cancellation::request(std::exception_ptr reason) {
    if (requested_) return;
    requested_ = true;
    reason_ = std::move(reason);
    // A callback resumes a coroutine, which may drop other callbacks meanwhile, or end the
    // frame that holds this cancellation.
    const std::shared_ptr<bool> alive = alive_;
    while (*alive && !callbacks_.empty()) {
        auto first = callbacks_.begin();
        std::function<void()> callback = std::move(first->second);
        callbacks_.erase(first);
        callback();
    }
}

Cancellation::Registration Cancellation::onRequest(std::function<void()> callback) {
    const int id = ++nextId_;
    callbacks_.emplace(id, std::move(callback));
    return Registration(this, id);
}

Cancellation::Registration::Registration(Registration&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(std::exchange(other.id_, 0)) {}

Cancellation::Registration& Cancellation::Registration::operator=(Registration&& other) noexcept {
    if (this != &other) {
        reset();
        owner_ = std::exchange(other.owner_, nullptr);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

void Cancellation::Registration::reset() {
    if (owner_) owner_->callbacks_.erase(id_);
    owner_ = nullptr;
}

TaskScope::~TaskScope() {
    // A child still suspended would resume into a freed scope: a bug in the owner, not a state
    // to recover from.
    if (running_ != 0) std::abort();
}

TaskScope::Child::~Child() {
    if (--scope_.running_ == 0 && scope_.joiner_) std::exchange(scope_.joiner_, {}).resume();
}

void TaskScope::spawn(Task<void> task, std::function<void(std::exception_ptr)> done) {
    kamusm::spawn(run(std::move(task)), [done = std::move(done)](std::exception_ptr failure) {
        if (done) done(failure);
    });
}

Task<void> TaskScope::join() {
    co_await Joined{*this};
}

Task<AsyncMutex::Lock> AsyncMutex::lock() {
    co_await Waiter{*this, {}, {}};
    co_return Lock(this);
}

void AsyncMutex::unlock() {
    if (queue_.empty()) {
        held_ = false;
        return;
    }
    Waiter* next = queue_.front();
    queue_.pop_front();
    std::exchange(next->waiting, {}).resume();
}

} // namespace kamusm
