#include "kamusm/base/cancel.hpp"
#include "task_outcome.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace kamusm;
using kamusm::testing::Outcome;
using kamusm::testing::start;

namespace {

// A leaf that waits for the test (as a Promise would) or for its task's cancellation.
struct Gate {
    coro::coroutine_handle<> waiting;
    int opened = 0;

    struct Wait {
        Gate& gate;
        CancellableWait cancellation;
        bool await_ready() const noexcept { return false; }
        template <typename P> bool await_suspend(coro::coroutine_handle<P> handle) {
            if (!cancellation.arm(handle, [this] { std::exchange(gate.waiting, {}).resume(); }))
                return false;
            gate.waiting = handle;
            return true;
        }
        void await_resume() {
            cancellation.disarm();
            cancellation.throwIfCancelled();
        }
    };
    Wait operator co_await() { return Wait{*this, {}}; }
    void open() {
        ++opened;
        std::exchange(waiting, {}).resume();
    }
};

Task<int> waitThenAnswer(Gate& gate) {
    co_await gate;
    co_return 42;
}
// Two levels down: the cancellation reaches the leaf through every co_await.
Task<int> nested(Gate& gate) {
    co_return co_await waitThenAnswer(gate) + 1;
}

} // namespace

TEST_CASE("a scope's child runs to its end when nothing cancels it") {
    Gate gate;
    TaskScope scope;
    int answer = 0;
    Outcome outcome;
    start([](TaskScope& s, Gate& g,
             int& a) -> Task<void> { a = co_await s.run(nested(g)); }(scope, gate, answer),
          outcome);
    CHECK(scope.running() == 1);
    gate.open();
    CHECK(outcome.done);
    CHECK_FALSE(outcome.failure);
    CHECK(answer == 43);
    CHECK(scope.running() == 0);
}

TEST_CASE("cancelling a scope settles the waiting leaf with the scope's reason") {
    Gate gate;
    TaskScope scope;
    Outcome outcome;
    start([](TaskScope& s, Gate& g) -> Task<void> { co_await s.run(nested(g)); }(scope, gate),
          outcome);
    REQUIRE_FALSE(outcome.done);
    scope.cancel(std::make_exception_ptr(std::runtime_error("reader gone")));
    CHECK(outcome.done);
    CHECK(scope.running() == 0);
    CHECK_FALSE(gate.waiting);
    CHECK(gate.opened == 0);
    REQUIRE(outcome.failure);
    CHECK_THROWS_WITH_AS(std::rethrow_exception(outcome.failure), "reader gone",
                         std::runtime_error);
}

TEST_CASE("a cancelled scope starts nothing, and a wait without a reason throws Cancelled") {
    Gate gate;
    TaskScope scope;
    scope.cancel();
    Outcome outcome;
    start([](TaskScope& s, Gate& g) -> Task<void> { co_await s.run(nested(g)); }(scope, gate),
          outcome);
    CHECK(outcome.done);
    CHECK_FALSE(gate.waiting);
    CHECK_THROWS_AS(std::rethrow_exception(outcome.failure), Cancelled);
}

TEST_CASE("join resumes after the last child, spawned or awaited") {
    Gate first, second;
    TaskScope scope;
    Outcome a, b, joined;
    scope.spawn([](Gate& g) -> Task<void> { co_await waitThenAnswer(g); }(first),
                [&a](std::exception_ptr failure) {
                    a.done = true;
                    a.failure = failure;
                });
    start([](TaskScope& s, Gate& g) -> Task<void> { co_await s.run(nested(g)); }(scope, second), b);
    start(scope.join(), joined);
    CHECK(scope.running() == 2);
    CHECK_FALSE(joined.done);
    first.open();
    CHECK(a.done);
    CHECK_FALSE(joined.done);
    second.open();
    CHECK(b.done);
    CHECK(joined.done);
}

TEST_CASE("currentCancellation tells a task its scope, and nothing outside one") {
    TaskScope scope;
    Cancellation* seen = reinterpret_cast<Cancellation*>(1);
    runSync([](Cancellation*& out) -> Task<void> { out = co_await currentCancellation(); }(seen));
    CHECK(seen == nullptr);
    runSync(scope.run(
        [](Cancellation*& out) -> Task<void> { out = co_await currentCancellation(); }(seen)));
    CHECK(seen == &scope.cancellation());
}

TEST_CASE("a registration dropped before the request is not called") {
    Cancellation cancellation;
    int calls = 0;
    {
        auto registration = cancellation.onRequest([&] { ++calls; });
    }
    auto kept = cancellation.onRequest([&] { calls += 10; });
    cancellation.request();
    cancellation.request();
    CHECK(calls == 10);
}

TEST_CASE("a waiter that ends the scope's own frame when woken is safe") {
    // The scope lives in the coroutine it cancels, as a wait local to a transport does.
    struct Local {
        static Task<void> waitInOwnScope(Gate& gate, TaskScope*& exposed) {
            TaskScope own;
            exposed = &own;
            try {
                co_await own.run(nested(gate));
            } catch (const Cancelled&) {
            }
            exposed = nullptr;
        }
    };
    Gate gate;
    TaskScope* exposed = nullptr;
    Outcome outcome;
    start(Local::waitInOwnScope(gate, exposed), outcome);
    REQUIRE(exposed);
    exposed->cancel(); // the frame holding the scope ends inside this call
    CHECK(outcome.done);
    CHECK_FALSE(outcome.failure);
}

TEST_CASE("an async mutex lets one task at a time through, in order, and drops a cancelled one") {
    AsyncMutex mutex;
    Gate first, third;
    std::vector<int> order;
    struct Use {
        static Task<void> hold(AsyncMutex& m, Gate& g, std::vector<int>& log, int id) {
            co_await serialized(m, [](Gate& gate, std::vector<int>& out, int n) -> Task<void> {
                out.push_back(n);
                co_await gate;
                out.push_back(-n);
            }(g, log, id));
        }
        static Task<void> quick(AsyncMutex& m, std::vector<int>& log, int id) {
            co_await serialized(m, [](std::vector<int>& out, int n) -> Task<void> {
                out.push_back(n);
                co_return;
            }(log, id));
        }
    };
    Outcome a, b, c;
    TaskScope cancelled;
    start(Use::hold(mutex, first, order, 1), a);
    start(cancelled.run(Use::quick(mutex, order, 2)), b);
    start(Use::hold(mutex, third, order, 3), c);
    CHECK(mutex.locked());
    CHECK(order == std::vector<int>{1});
    cancelled.cancel(); // 2 leaves the queue before its turn
    CHECK(b.done);
    CHECK_THROWS_AS(std::rethrow_exception(b.failure), Cancelled);
    first.open();
    CHECK(order == std::vector<int>{1, -1, 3});
    third.open();
    CHECK(order == std::vector<int>{1, -1, 3, -3});
    CHECK(a.done);
    CHECK(c.done);
    CHECK_FALSE(mutex.locked());
}
