// The reader owner over a transport whose every call can be held: events in every order, and
// cancellation at every await, with no task left running afterwards.
#include "reader/fake_transport.hpp"
#include "task_outcome.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using kamusm::testing::Outcome;
using kamusm::testing::start;
using namespace kamusm::reader;
using namespace kamusm::reader::test;

namespace {

struct Rig {
    FakeWorld world;
    std::vector<Event> events;
    Owner owner{[this](const Event& event) { events.push_back(event); }};

    Rig() {
        world.slots = {{"Reader A 00 00", true}};
        runSync(owner.use(std::make_unique<FakeTransport>(world)));
    }
    ~Rig() {
        world.gates.dropIdleHolds();
        runSync(owner.close());
    }
};

ErrorCode readerError(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const reader::Error& error) {
        return error.code();
    }
}

Task<void> transmitOnce(std::shared_ptr<Card> card) {
    co_await card->transmitRaw(iso7816::CommandApdu{0x00, 0xA4, 0x04, 0x00, {}, {}});
}

} // namespace

TEST_CASE("refresh tells readers and cards as they come and go") {
    Rig rig;
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::ReaderAdded, "Reader A 00 00"},
                                           {EventKind::CardInserted, "Reader A 00 00"}});
    rig.events.clear();
    rig.world.slots = {{"Reader A 00 00", false}, {"Reader B 00 00", true}};
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::CardRemoved, "Reader A 00 00"},
                                           {EventKind::ReaderAdded, "Reader B 00 00"},
                                           {EventKind::CardInserted, "Reader B 00 00"}});
    rig.events.clear();
    rig.world.slots = {{"Reader B 00 00", true}};
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::ReaderRemoved, "Reader A 00 00"}});
    CHECK(rig.owner.transport() == TransportKind::Pcsc);
}

TEST_CASE("a card is connected once and held until released; then calls say so") {
    Rig rig;
    runSync(rig.owner.refresh());
    auto card = runSync(rig.owner.connect("Reader A 00 00"));
    CHECK(runSync(rig.owner.connect("Reader A 00 00")) == card);
    CHECK(rig.world.connects == 1);
    runSync(transmitOnce(card));
    runSync(rig.owner.release("Reader A 00 00"));
    CHECK(rig.world.disconnects == 1);
    CHECK(rig.world.liveCards == 0);
    CHECK_THROWS_AS(runSync(transmitOnce(card)), reader::Error);
}

TEST_CASE("the reader going away with its card connected is ReaderLost; the card says so") {
    Rig rig;
    runSync(rig.owner.refresh());
    auto card = runSync(rig.owner.connect("Reader A 00 00"));
    rig.events.clear();
    rig.world.slots = {};
    runSync(rig.owner.refresh());
    CHECK(rig.events == std::vector<Event>{{EventKind::ReaderLost, "Reader A 00 00"}});
    CHECK(rig.world.liveCards == 0); // the transport's card went at once: nothing used it
    try {
        runSync(transmitOnce(card));
        FAIL("a lost card answered");
    } catch (const reader::Error& error) {
        CHECK(error.code() == ErrorCode::ReaderLost);
    }
}

TEST_CASE("the card taken out while a transmit is suspended: the look at the slots waits for "
          "the transmit, then CardRemoved") {
    Rig rig;
    runSync(rig.owner.refresh());
    auto card = runSync(rig.owner.connect("Reader A 00 00"));
    rig.world.gates.hold(Call::Transmit);
    Outcome transmit, refresh;
    start(transmitOnce(card), transmit);
    REQUIRE(rig.world.gates.waiting(Call::Transmit));
    CHECK(rig.owner.running() == 1);

    rig.world.slots = {{"Reader A 00 00", false}};
    rig.events.clear();
    start(rig.owner.refresh(), refresh);
    CHECK_FALSE(refresh.done); // the transport serves one call at a time
    CHECK(rig.events.empty());

    rig.world.gates.open(Call::Transmit);
    CHECK(transmit.done);
    CHECK(refresh.done);
    CHECK(rig.events == std::vector<Event>{{EventKind::CardRemoved, "Reader A 00 00"}});
    CHECK(rig.owner.running() == 0);
    CHECK(rig.world.liveCards == 0);
    try {
        runSync(transmitOnce(card));
        FAIL("a removed card answered");
    } catch (const reader::Error& error) {
        CHECK(error.code() == ErrorCode::CardRemoved);
    }
}

TEST_CASE("closing cancels the task waiting at every await and leaves nothing running") {
    struct Case {
        Call call;
        const char* name;
    };
    for (const Case& c :
         {Case{Call::Transmit, "transmit"}, Case{Call::Begin, "begin"}, Case{Call::End, "end"},
          Case{Call::Connect, "connect"}, Case{Call::Slots, "slots"}}) {
        CAPTURE(c.name);
        Rig rig;
        runSync(rig.owner.refresh());
        std::shared_ptr<Card> card;
        if (c.call != Call::Connect) card = runSync(rig.owner.connect("Reader A 00 00"));
        rig.world.gates.hold(c.call);
        Outcome outcome;
        switch (c.call) {
        case Call::Transmit:
            start(transmitOnce(card), outcome);
            break;
        case Call::Begin:
            start(card->beginTransaction(), outcome);
            break;
        case Call::End:
            start(card->endTransaction(), outcome);
            break;
        case Call::Connect:
            start([](Owner& o) -> Task<void> { co_await o.connect("Reader A 00 00"); }(rig.owner),
                  outcome);
            break;
        default:
            start(rig.owner.refresh(), outcome);
            break;
        }
        REQUIRE(rig.world.gates.waiting(c.call));
        runSync(rig.owner.close());
        CHECK(outcome.done);
        REQUIRE(outcome.failure);
        CHECK(readerError(outcome.failure) == ErrorCode::ReaderLost);
        CHECK(rig.owner.running() == 0);
        CHECK(rig.world.liveCards == 0);
        CHECK(rig.world.closes == 1);
    }
}

TEST_CASE("the watch tells each change, and close cancels its wait") {
    Rig rig;
    runSync(rig.owner.refresh());
    rig.events.clear();
    rig.owner.watch();
    REQUIRE(rig.world.gates.waiting(Call::Wait));
    CHECK(rig.owner.running() == 1);
    rig.world.slots = {{"Reader A 00 00", false}, {"Reader B 00 00", false}};
    rig.world.gates.open(Call::Wait);
    CHECK(rig.events == std::vector<Event>{{EventKind::CardRemoved, "Reader A 00 00"},
                                           {EventKind::ReaderAdded, "Reader B 00 00"}});
    REQUIRE(rig.world.gates.waiting(Call::Wait)); // waiting for the next change
    rig.events.clear();
    runSync(rig.owner.close());
    CHECK(rig.owner.running() == 0);
    CHECK(rig.events.empty());
}

TEST_CASE("a transport failing as a whole loses every reader, the connected one as ReaderLost") {
    Rig rig;
    rig.world.slots = {{"Reader A 00 00", true}, {"Reader B 00 00", true}};
    runSync(rig.owner.refresh());
    auto card = runSync(rig.owner.connect("Reader B 00 00"));
    rig.events.clear();
    rig.owner.watch();
    rig.world.failWait = true;
    rig.world.gates.open(Call::Wait);
    CHECK(rig.events == std::vector<Event>{{EventKind::ReaderRemoved, "Reader A 00 00"},
                                           {EventKind::ReaderLost, "Reader B 00 00"}});
    CHECK(rig.owner.running() == 0);
    CHECK_THROWS_AS(runSync(transmitOnce(card)), reader::Error);
    // Why, for whoever tells the holder: the transport's own failure.
    REQUIRE(rig.owner.watchFailure());
    CHECK_THROWS_WITH_AS(std::rethrow_exception(rig.owner.watchFailure()), "service gone",
                         std::runtime_error);
    runSync(rig.owner.close());
    CHECK_FALSE(rig.owner.watchFailure());
}

TEST_CASE("two readers: losing one leaves the other's card working") {
    Rig rig;
    rig.world.slots = {{"Reader A 00 00", true}, {"Reader B 00 00", true}};
    runSync(rig.owner.refresh());
    auto a = runSync(rig.owner.connect("Reader A 00 00"));
    auto b = runSync(rig.owner.connect("Reader B 00 00"));
    CHECK(rig.world.connects == 2);
    rig.world.slots = {{"Reader B 00 00", true}};
    runSync(rig.owner.refresh());
    CHECK_THROWS_AS(runSync(transmitOnce(a)), reader::Error);
    runSync(transmitOnce(b));
    CHECK(rig.world.transmits == 1);
}

TEST_CASE("one call at a time reaches the transport: the watch's look waits for a transmit") {
    Rig rig;
    runSync(rig.owner.refresh());
    auto card = runSync(rig.owner.connect("Reader A 00 00"));
    rig.world.gates.hold(Call::Transmit);
    Outcome transmit;
    start(transmitOnce(card), transmit);
    rig.owner.watch();
    rig.world.gates.hold(Call::Slots);
    rig.world.gates.open(Call::Wait);                  // a change: the watch wants the slots
    CHECK_FALSE(rig.world.gates.waiting(Call::Slots)); // queued behind the transmit
    rig.world.gates.open(Call::Transmit);
    CHECK(transmit.done);
    CHECK(rig.world.gates.waiting(Call::Slots)); // now it asks
    rig.world.gates.open(Call::Slots);
    CHECK(rig.world.gates.waiting(Call::Wait));
}
