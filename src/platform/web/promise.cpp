// The registry of awaited Promises: request id → the JsPromise waiting for it.
#include "kamusm/platform/promise.hpp"

#include <emscripten/emscripten.h>

#include <unordered_map>
#include <utility>

namespace kamusm::platform::web {

namespace {

std::unordered_map<int, JsPromise*>& waiting() {
    static std::unordered_map<int, JsPromise*> promises;
    return promises;
}

int nextId() {
    static int id = 0;
    id = id == 0x7FFFFFFF ? 1 : id + 1;
    return id;
}

} // namespace

std::string_view PromiseOutcome::errorName() const {
    const std::string_view all = text;
    return all.substr(0, all.find(": "));
}

std::string_view PromiseOutcome::errorMessage() const {
    const std::string_view all = text;
    const std::size_t colon = all.find(": ");
    return colon == std::string_view::npos ? std::string_view() : all.substr(colon + 2);
}

JsPromise::~JsPromise() {
    if (id_ != 0) waiting().erase(id_);
}

extern "C" void kamusm_promise_abandon(int id);

bool JsPromise::suspend(coro::coroutine_handle<> handle) {
    id_ = nextId();
    waiting()[id_] = this;
    start_(id_);
    if (outcome_) return false; // settled already (a bridge that reports at once): go on
    waiting_ = handle;
    return true;
}

void JsPromise::abandon() {
    if (id_ != 0) {
        waiting().erase(id_);
        kamusm_promise_abandon(id_);
        id_ = 0;
    }
    if (waiting_) std::exchange(waiting_, {}).resume();
}

void JsPromise::settle(PromiseOutcome outcome) {
    waiting().erase(id_);
    id_ = 0;
    outcome_ = std::move(outcome);
    if (waiting_) std::exchange(waiting_, {}).resume();
}

} // namespace kamusm::platform::web

using kamusm::platform::web::PromiseOutcome;

// The JS half's report: `size` bytes at `data` and a NUL-terminated `text`, both freed by the
// caller afterwards. An id nobody waits for any more (its frame is gone) is ignored.
extern "C" EMSCRIPTEN_KEEPALIVE void kamusm_promise_settled(int id, int kind, int number,
                                                            const std::uint8_t* data, int size,
                                                            const char* text) {
    const auto found = kamusm::platform::web::waiting().find(id);
    if (found == kamusm::platform::web::waiting().end()) return;
    PromiseOutcome outcome;
    outcome.kind = static_cast<PromiseOutcome::Kind>(kind);
    outcome.number = number;
    if (size > 0) outcome.bytes.assign(data, data + size);
    outcome.text = text ? text : "";
    found->second->settle(std::move(outcome));
}
