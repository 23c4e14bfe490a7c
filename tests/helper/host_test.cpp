// The helper's host over in-memory PC/SC: the Web Smart Card API's calls as messages, the PUK
// never reaching the card, strict parsing, handles, limits, cancellation of waits, and the reset
// of every card when the page goes away.
#include "helper/host_rig.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace kamusm;
using namespace kamusm::testing;
using Json = nlohmann::json;

namespace {

const Bytes selectDf = fromHex("00A4040C08F04B414D55534D01");
const Bytes pinStatus = fromHex("0020008100");
const Bytes verifyDemoPin = fromHex("0020008106313233343536");

Bytes responseOf(const Json& answer) {
    REQUIRE_MESSAGE(answer.contains("result"), answer.dump());
    return answer["result"]["response"].get<Bytes>();
}

} // namespace

TEST_CASE("a context lists the readers, reports their state and connects to the card") {
    HostRig rig;
    const std::uint32_t context = rig.establish();
    CHECK(rig.result({{"method", "listReaders"}, {"context", context}})["readers"] ==
          Json{cardReader});

    const Json states = rig.result(
        {{"method", "getStatusChange"},
         {"context", context},
         {"readerStates", {{{"readerName", cardReader}, {"currentState", {{"unaware", true}}}}}},
         {"timeout", 0}})["readerStates"];
    REQUIRE(states.size() == 1);
    CHECK(states[0]["eventState"]["present"] == true);
    CHECK(states[0]["answerToReset"].get<Bytes>() == rig.card->atr());

    const Json connected = rig.ask({{"method", "connect"},
                                    {"context", context},
                                    {"reader", cardReader},
                                    {"accessMode", "shared"},
                                    {"preferredProtocols", {"t1"}}});
    CHECK(connected["result"]["activeProtocol"] == "t1");
    const std::uint32_t connection = connected["result"]["connection"];
    CHECK(rig.world->accessModes.back() == pcsc::AccessMode::Shared);

    const Json status = rig.result({{"method", "status"}, {"connection", connection}});
    CHECK(status["state"] == "t1");
    CHECK(status["readerName"] == cardReader);
}

TEST_CASE("APDUs travel both ways; a transaction and a disconnect take their disposition") {
    HostRig rig;
    const std::uint32_t connection = rig.connect(rig.establish());
    CHECK(rig.result({{"method", "startTransaction"}, {"connection", connection}}) ==
          Json::object());
    CHECK(responseOf(rig.transmit(connection, selectDf)) == fromHex("9000"));
    CHECK(responseOf(rig.transmit(connection, verifyDemoPin)) == fromHex("9000"));
    CHECK(rig.card->pinVerified());
    rig.result(
        {{"method", "endTransaction"}, {"connection", connection}, {"disposition", "leave"}});
    rig.result({{"method", "disconnect"}, {"connection", connection}, {"disposition", "reset"}});
    CHECK(rig.world->calls == std::vector<std::string>{"begin", "end leave", "disconnect reset"});
    CHECK_FALSE(rig.card->pinVerified());
    CHECK(errorName(rig.transmit(connection, pinStatus)) == "InvalidStateError");
}

TEST_CASE("no command that uses the PUK reaches the card, whatever its class or form") {
    HostRig rig;
    const std::uint32_t connection = rig.connect(rig.establish());
    const char* const refused[] = {
        "002C008110"
        "3132333435363738"
        "3132333435363738", // RESET RETRY COUNTER, PUK + new PIN
        "002C018108"
        "3132333435363738", // RESET RETRY COUNTER, PUK only
        "802C008110"
        "3132333435363738"
        "3132333435363738", // a proprietary class
        "0C2C008110"
        "3132333435363738"
        "3132333435363738", // secure messaging bits
        "102C008110"
        "3132333435363738"
        "3132333435363738", // chaining
        "002D00810A"
        "5208"
        "3132333435363738", // the odd INS (BER-TLV data)
        "0020008208"
        "3132333435363738", // VERIFY of the PUK
        "00200082",         // its status
        "0024018210"
        "3132333435363738"
        "3132333435363738", // CHANGE REFERENCE DATA of the PUK
        "002C028208"
        "3132333435363738", // RESET RETRY COUNTER of the PUK
        "00C2000005"
        "002C008100", // ENVELOPE
        "FF00000009"
        "002C008104"
        "31323334", // the reader's direct transmit
        "00A4",     // not an APDU
    };
    for (const char* hex : refused) {
        const Json answer = rig.transmit(connection, fromHex(hex));
        CHECK_MESSAGE(errorName(answer) == "NotAllowedError", hex, " ", answer.dump());
    }
    CHECK(rig.world->commands.empty());
    CHECK(rig.card->pukCommandsSeen() == 0);
    CHECK_FALSE(rig.card->terminated());

    // What the app sends passes: the authorized RESET RETRY COUNTER (P1 02) on the PIN.
    CHECK(responseOf(rig.transmit(connection, fromHex("002C0281083132333435363738"))) ==
          fromHex("6982")); // no EXTERNAL AUTHENTICATE before it
    CHECK(rig.world->commands.size() == 1);
}

TEST_CASE("the reader's control codes pass only from the allow-list; no attribute is set") {
    HostRig rig;
    const std::uint32_t connection = rig.connect(rig.establish());
    const Json allowed =
        rig.ask({{"method", "control"}, {"connection", connection}, {"controlCode", 0x42000D48}});
    CHECK(errorName(allowed) == "unsupported-feature"); // passed on: the fake has no control
    const Json escape = rig.ask({{"method", "control"},
                                 {"connection", connection},
                                 {"controlCode", 0x42000001},
                                 {"data", {0x2C}}});
    CHECK(errorName(escape) == "NotAllowedError");
    CHECK(escape["error"]["message"].get<std::string>().find("0x42000001") != std::string::npos);
    const Json attribute = rig.ask({{"method", "setAttribute"},
                                    {"connection", connection},
                                    {"tag", 0x7FFF0003},
                                    {"value", {1}}});
    CHECK(errorName(attribute) == "NotAllowedError");
}

TEST_CASE("malformed messages get a clear error, with their id when it could be read") {
    HostRig rig;
    rig.host.receive("not json");
    CHECK(errorName(rig.answerTo(nullptr)) == "SyntaxError");
    rig.host.receive("[1, 2]");
    CHECK(errorName(rig.answerTo(nullptr)) == "SyntaxError");
    rig.host.receive(R"({"method": "listReaders"})");
    CHECK(errorName(rig.answerTo(nullptr)) == "SyntaxError");
    rig.host.receive(R"({"id": -1, "method": "listReaders"})");
    CHECK(errorName(rig.answerTo(nullptr)) == "SyntaxError");
    rig.host.receive(R"({"id": 7, "method": "format"})");
    CHECK(errorName(rig.answerTo(7)) == "NotSupportedError");
    rig.host.receive(R"({"id": 8, "method": 3})");
    CHECK(errorName(rig.answerTo(8)) == "SyntaxError");

    const std::uint32_t context = rig.establish();
    CHECK(errorName(rig.ask({{"method", "listReaders"}, {"context", "one"}})) == "SyntaxError");
    CHECK(errorName(rig.ask({{"method", "getStatusChange"}, {"context", context}})) ==
          "SyntaxError");
    CHECK(errorName(rig.ask({{"method", "getStatusChange"},
                             {"context", context},
                             {"readerStates", {{{"readerName", 5}}}}})) == "SyntaxError");
    CHECK(errorName(rig.ask({{"method", "connect"},
                             {"context", context},
                             {"reader", cardReader},
                             {"accessMode", "greedy"}})) == "SyntaxError");
    const std::uint32_t connection = rig.connect(context);
    CHECK(errorName(rig.ask({{"method", "transmit"},
                             {"connection", connection},
                             {"command", {0, 164, 256, 0}}})) == "SyntaxError");
    CHECK(errorName(rig.ask(
              {{"method", "disconnect"}, {"connection", connection}, {"disposition", "drop"}})) ==
          "SyntaxError");
}

TEST_CASE("handles: unknown, released, and a context's connections going with it") {
    HostRig rig;
    CHECK(errorName(rig.ask({{"method", "listReaders"}, {"context", 42}})) == "InvalidStateError");
    CHECK(errorName(rig.transmit(42, pinStatus)) == "InvalidStateError");
    const std::uint32_t context = rig.establish();
    const std::uint32_t connection = rig.connect(context);
    REQUIRE(responseOf(rig.transmit(connection, selectDf)) == fromHex("9000"));
    REQUIRE(responseOf(rig.transmit(connection, verifyDemoPin)) == fromHex("9000"));
    CHECK(rig.result({{"method", "releaseContext"}, {"context", context}}) == Json::object());
    CHECK_FALSE(rig.card->pinVerified()); // the connection was disconnected with a reset
    CHECK(errorName(rig.transmit(connection, pinStatus)) == "InvalidStateError");
    CHECK(errorName(rig.ask({{"method", "releaseContext"}, {"context", context}})) ==
          "InvalidStateError");
}

TEST_CASE("PC/SC failures keep their responseCode and SCARD value") {
    HostRig rig;
    const std::uint32_t connection = rig.connect(rig.establish());
    rig.world->remove(cardReader);
    const Json answer = rig.transmit(connection, pinStatus);
    CHECK(errorName(answer) == "removed-card");
    CHECK(answer["error"]["scard"] == 0x80100069);

    rig.world->serviceRunning = false;
    CHECK(errorName(rig.ask({{"method", "establishContext"}})) == "no-service");
}

TEST_CASE("a flood is answered server-too-busy; open handles are capped") {
    helper::HostLimits limits = testLimits();
    limits.burst = 4;
    limits.perSecond = 0.001;
    limits.contexts = 2;
    HostRig rig(limits);
    const std::uint32_t context = rig.establish();
    rig.establish();
    const Json third = rig.ask({{"method", "establishContext"}});
    CHECK(errorName(third) == "server-too-busy");
    CHECK(third["error"]["message"].get<std::string>().find("at once") != std::string::npos);
    rig.host.receive("garbage"); // counted too
    CHECK(errorName(rig.answerTo(nullptr)) == "SyntaxError");
    const Json flooded = rig.ask({{"method", "listReaders"}, {"context", context}});
    CHECK(errorName(flooded) == "server-too-busy");
    CHECK(flooded["error"]["message"].get<std::string>().find("a second") != std::string::npos);
}

TEST_CASE("a wait for a change ends with its timeout, or at once when cancelled") {
    HostRig rig;
    const std::uint32_t context = rig.establish();
    const Json present = {{"readerName", cardReader},
                          {"currentState", {{"present", true}}},
                          {"currentCount", rig.world->readers[0].events}};

    const auto started = std::chrono::steady_clock::now();
    CHECK(errorName(rig.ask({{"method", "getStatusChange"},
                             {"context", context},
                             {"readerStates", {present}},
                             {"timeout", 70}})) == "TimeoutError");
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(70));

    // A wait without a timeout, a second one queued behind it on the same context: the cancel
    // of the queued one keeps it from ever starting, the running one ends within a slice.
    const Json wait{
        {"method", "getStatusChange"}, {"context", context}, {"readerStates", {present}}};
    Json first = wait, second = wait;
    first["id"] = 1;
    second["id"] = 2;
    const int waitsBefore = rig.service.waits;
    rig.host.receive(first.dump());
    rig.host.receive(second.dump());
    while (rig.service.waits == waitsBefore) // the first is in PC/SC
        std::this_thread::yield();
    CHECK(rig.result({{"method", "cancel"}, {"request", 2}})["cancelled"] == true);
    CHECK(rig.result({{"method", "cancel"}, {"request", 1}})["cancelled"] == true);
    CHECK(errorName(rig.answerTo(1)) == "AbortError");
    CHECK(errorName(rig.answerTo(2)) == "AbortError");
    CHECK(rig.service.cancels >= 1);
    CHECK(rig.result({{"method", "cancel"}, {"request", 1}})["cancelled"] == false);
    // The context serves the next call.
    CHECK(rig.result({{"method", "listReaders"}, {"context", context}})["readers"].size() == 1);
}

TEST_CASE("the page going away resets every card and drops what it had queued") {
    HostRig rig;
    const std::uint32_t connection = rig.connect(rig.establish());
    rig.result({{"method", "startTransaction"}, {"connection", connection}});
    REQUIRE(responseOf(rig.transmit(connection, selectDf)) == fromHex("9000"));
    REQUIRE(responseOf(rig.transmit(connection, verifyDemoPin)) == fromHex("9000"));
    CHECK(rig.host.close());
    CHECK_FALSE(rig.card->pinVerified());
    CHECK(rig.world->calls.back() == "disconnect reset");
    // After the close nothing reaches a card.
    const std::size_t sent = rig.world->commands.size();
    CHECK(errorName(rig.transmit(connection, verifyDemoPin)) == "InvalidStateError");
    CHECK(errorName(rig.ask({{"method", "establishContext"}})) == "InvalidStateError");
    CHECK(rig.world->commands.size() == sent);
}

TEST_CASE("a wait cancelled or closed the moment it is taken from the queue still ends") {
    // Found by fuzz_helper_messages: a wait taken from the queue but not yet in PC/SC was out of
    // reach of both the cancel and the end of its context, and then waited for ever.
    for (int round = 0; round < 200; ++round) {
        HostRig rig;
        const std::uint32_t context = rig.establish();
        const Json present = {{"readerName", cardReader},
                              {"currentState", {{"present", true}}},
                              {"currentCount", rig.world->readers[0].events}};
        Json wait{{"id", 1},
                  {"method", "getStatusChange"},
                  {"context", context},
                  {"readerStates", {present}}};
        rig.host.receive(wait.dump());
        if (round % 2 == 0) {
            rig.host.receive(Json{{"id", 2}, {"method", "cancel"}, {"request", 1}}.dump());
            CHECK(errorName(rig.answerTo(1)) == "AbortError");
        }
        REQUIRE(rig.host.close(std::chrono::seconds(5)));
    }
}
