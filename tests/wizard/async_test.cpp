// The browser's case: a request stays pending until its Promise settles. Meanwhile the wizard
// shows itself busy and takes no other event, and the card going away waits for the work.
#include "wizard/wizard_harness.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

// Holds each request until the test lets it through, as fetch() does until its Promise settles.
class PendingHttp : public backend::HttpClient {
public:
    explicit PendingHttp(FakeServer& server) : server_(server) {}

    struct Wait {
        PendingHttp& http;
        bool await_ready() const noexcept { return false; }
        void await_suspend(coro::coroutine_handle<> handle) { http.waiting_ = handle; }
        void await_resume() const noexcept {}
    };

    Task<backend::HttpResponse> send(backend::HttpRequest request) override {
        co_await Wait{*this};
        co_return co_await server_.send(std::move(request));
    }

    bool pending() const { return static_cast<bool>(waiting_); }
    void settle() { std::exchange(waiting_, {}).resume(); }

private:
    FakeServer& server_;
    coro::coroutine_handle<> waiting_;
};

struct Async : HttpRig<PendingHttp> {
    int finished = 0;

    void start(Task<void> task) {
        spawn(std::move(task), [this](std::exception_ptr failure) {
            CHECK_FALSE(failure);
            ++finished;
        });
    }
    // Lets every pending request through until the event's task is over.
    void settleAll() {
        while (http.pending())
            http.settle();
    }
};

} // namespace

TEST_CASE("while a request is pending the wizard is busy and ignores other events") {
    Async a;
    a.wizard.environmentChecked({true, true});
    a.start(a.wizard.submitCode(a.server.code));
    REQUIRE(a.http.pending());
    CHECK(a.wizard.state().busy);
    CHECK(a.finished == 0);

    a.start(a.wizard.submitCode(a.server.code)); // a double click
    CHECK(a.finished == 1);                      // returned at once, did nothing
    a.clock.advanceSeconds(1000);
    a.wizard.tick(); // no idle reset under work
    CHECK(a.wizard.state().step == Step::Code);

    a.settleAll();
    CHECK(a.finished == 2);
    CHECK_FALSE(a.wizard.state().busy);
    CHECK(a.wizard.state().step == Step::Reader);
    CHECK(a.server.paths.size() == 1);
}

TEST_CASE("a whole unblock with every request settling later") {
    Async a;
    a.wizard.environmentChecked({true, true});
    a.start(a.wizard.submitCode(a.server.code));
    a.settleAll();
    a.start(a.wizard.findCard());
    REQUIRE(a.http.pending()); // the card check
    // A slot-change report during the work is left to that work: a card really gone fails
    // its next command. (Here it was a false alarm: the card is still in.)
    a.start(a.wizard.cardRemoved());
    CHECK(a.wizard.state().busy);
    a.settleAll();
    REQUIRE(a.wizard.state().step == Step::Card);
    a.wizard.cardConfirmed();
    a.start(a.wizard.submitNewPin({}, card::Pin("24681357"), card::Pin("24681357")));
    a.settleAll();
    REQUIRE(a.wizard.state().step == Step::Confirm);
    a.start(a.wizard.submitConfirmation(a.server.smsCode));
    REQUIRE(a.http.pending());
    CHECK(a.wizard.state().busy);
    a.settleAll();
    CHECK(a.wizard.state().step == Step::Done);
    CHECK(a.finished == 5);
    REQUIRE(a.server.outcomes.size() == 1);
    CHECK(a.server.outcomes[0].result == "success");
}
