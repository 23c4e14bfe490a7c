#include "kamusm/base/bytes.hpp"
#include "kamusm/base/task.hpp"

#include <doctest/doctest.h>

using namespace kamusm;

namespace {

Task<int> leaf(int value) {
    co_return value;
}

Task<int> sumOfLeaves(int count) {
    int sum = 0;
    for (int i = 0; i < count; ++i)
        sum += co_await leaf(1);
    co_return sum;
}

Task<void> fails() {
    co_await leaf(0);
    throw std::runtime_error("boom");
}

// A leaf that suspends until the test resumes it, as a WebUSB Promise callback would.
struct Pending {
    coro::coroutine_handle<> waiter;
    int value = 0;
    bool await_ready() const noexcept { return false; }
    void await_suspend(coro::coroutine_handle<> h) { waiter = h; }
    int await_resume() const noexcept { return value; }
};

Task<int> waitsOn(Pending& pending) {
    co_return co_await pending + 1;
}
Task<int> outer(Pending& pending) {
    co_return co_await waitsOn(pending) * 10;
}

} // namespace

TEST_CASE("synchronous chains run inline without growing the stack") {
    CHECK(runSync(sumOfLeaves(1'000'000)) == 1'000'000);
}

TEST_CASE("exceptions travel to the awaiting caller") {
    CHECK_THROWS_WITH_AS(runSync(fails()), "boom", std::runtime_error);
}

TEST_CASE("an asynchronous leaf resumes the whole chain") {
    Pending pending;
    int result = 0;
    auto body = [&]() -> Task<void> { result = co_await outer(pending); };
    bool finished = false;
    spawn(body(), [&](std::exception_ptr failure) {
        CHECK(!failure);
        finished = true;
    });
    CHECK(!finished);
    REQUIRE(pending.waiter);
    pending.value = 4;
    pending.waiter.resume();
    CHECK(finished);
    CHECK(result == 50);
}

TEST_CASE("runSync refuses a task that would have to wait") {
    Pending pending;
    CHECK_THROWS_AS(runSync(waitsOn(pending)), std::logic_error);
}

TEST_CASE("hex round trip and errors") {
    CHECK(toHex(fromHex("3b 9F\n96")) == "3B9F96");
    CHECK(toHex(fromHex("3B9F"), ' ') == "3B 9F");
    CHECK_THROWS_AS(fromHex("3B9"), std::invalid_argument);
    CHECK_THROWS_AS(fromHex("3G"), std::invalid_argument);
    Bytes secret{1, 2, 3};
    wipe(secret);
    CHECK(secret.empty());
}
