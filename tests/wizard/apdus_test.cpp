// The fewest card exchanges and server round trips of each flow, pinned: a needless GET RESPONSE,
// READ BINARY past the certificate's end, re-select or request fails here. (Counts are stable;
// what they cost in time is `pinctl bench`'s.)
#include "wizard/wizard_harness.hpp"

#include "kamusm/ccid/message.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::wizard;
using namespace kamusm::wizard::test;
using backend::Operation;

namespace {

// The INS byte of each APDU the CCID stack carried, in order, as hex ("A4 B0 …").
class InsTrace : public ccid::Trace {
public:
    void record(ccid::TraceKind kind, ByteView bytes) override {
        if (kind != ccid::TraceKind::ApduCommand || bytes.size() < 2) return;
        if (!sequence.empty()) sequence += ' ';
        sequence += toHex(bytes.subspan(1, 1));
    }
    std::string sequence;
};

// The 2091-byte demo certificate in the fewest short READ BINARYs: 8 of 256 bytes, one of 43.
std::string certificateReads(const char* each) {
    std::string reads;
    for (int i = 0; i < 9; ++i)
        reads += std::string(i ? " " : "") + each;
    return reads;
}

// Counts the bulk transfers to and from the reader (the interrupt endpoint apart).
class CountingDevice : public ForwardingDevice {
public:
    using ForwardingDevice::ForwardingDevice;
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t length,
                           usb::Milliseconds timeout) override {
        Bytes data = co_await target_.transferIn(endpoint, length, timeout);
        const bool interrupt = !data.empty() && (data[0] == ccid::RDR_to_PC::NotifySlotChange ||
                                                 data[0] == ccid::RDR_to_PC::HardwareError);
        if (!interrupt) ++bulkIn;
        co_return data;
    }
    Task<void> transferOut(std::uint8_t endpoint, ByteView data,
                           usb::Milliseconds timeout) override {
        ++bulkOut;
        return target_.transferOut(endpoint, data, timeout);
    }
    int bulkOut = 0, bulkIn = 0;
};

struct Expected {
    Operation operation;
    sim::CardProtocol protocol;
    std::string apdus;
};

std::string run(const Expected& expected, std::vector<std::string>& paths) {
    sim::CardSetup setup = sim::demoCardSetup(expected.protocol);
    if (expected.operation == Operation::Create) setup.pin.reset();
    Harness h(expected.operation, std::move(setup));
    if (expected.operation == Operation::Unblock) blockPin(h.reader);
    InsTrace trace;
    h.plug(h.reader, &trace);
    h.runToNewPin();
    h.finishWith("24681357", expected.operation == Operation::Change ? "123456" : "");
    REQUIRE(h.wizard.state().step == Step::Done);
    paths = h.server.paths;
    return trace.sequence;
}

} // namespace

TEST_CASE("each flow sends the card exactly the APDUs it needs") {
    REQUIRE(sim::demoSigningCertificate().size() == 2091);
    // Reading the card: serial, application, certificate file, the certificate, the PIN state.
    const std::string readT1 = "CA A4 A4 " + certificateReads("B0") + " 20";
    // T=0: every case 2 and 4 answer is fetched by GET RESPONSE (C0), and no other.
    const std::string readT0 = "CA C0 A4 A4 " + certificateReads("B0 C0") + " 20";
    const Expected flows[] = {
        // GET CHALLENGE, EXTERNAL AUTHENTICATE, RESET RETRY COUNTER, VERIFY, MSE SET, PSO
        {Operation::Unblock, sim::CardProtocol::T1, readT1 + " 84 82 2C 20 22 2A"},
        {Operation::Create, sim::CardProtocol::T1, readT1 + " 84 82 2C 20 22 2A"},
        {Operation::Unblock, sim::CardProtocol::T0, readT0 + " 84 C0 82 2C 20 22 2A C0"},
        // CHANGE REFERENCE DATA, VERIFY, MSE SET, PSO
        {Operation::Change, sim::CardProtocol::T1, readT1 + " 24 20 22 2A"},
        {Operation::Change, sim::CardProtocol::T0, readT0 + " 24 20 22 2A C0"},
    };
    for (const Expected& expected : flows) {
        CAPTURE(backend::wireName(expected.operation));
        CAPTURE(expected.protocol == sim::CardProtocol::T1);
        std::vector<std::string> paths;
        CHECK(run(expected, paths) == expected.apdus);
    }
}

TEST_CASE("each operation takes the fewest server round trips, each named") {
    const std::string session = "/api/v1/sessions/" + std::string(fakeSessionId);
    const std::vector<std::string> authorized{"/api/v1/sessions",         session + "/card",
                                              session + "/sms",           session + "/confirm",
                                              session + "/authorization", session + "/outcome"};
    const std::vector<std::string> changed{"/api/v1/sessions", session + "/card", session + "/sms",
                                           session + "/confirm", session + "/outcome"};
    for (Operation operation : {Operation::Create, Operation::Unblock, Operation::Change}) {
        CAPTURE(backend::wireName(operation));
        std::vector<std::string> paths;
        run({operation, sim::CardProtocol::T1, {}}, paths);
        CHECK(paths == (operation == Operation::Change ? changed : authorized));
    }
}

TEST_CASE("each CCID exchange of a flow is one bulk-out and one bulk-in transfer") {
    // The unblock flow's 19 APDUs (readT1 above and the six of the work), and around them:
    // GetSlotStatus, IccPowerOn, SetParameters (GetParameters at the ArkSigner, which negotiates
    // by itself) and IccPowerOff. At TPDU level (ACR39U) also the S(IFS) exchange announcing
    // IFSD 247 and an R-block for each response longer than that (8 READ BINARYs of 256 and the
    // signature); the card asks for no time extension.
    const std::pair<sim::ReaderModel, int> readers[] = {{sim::ReaderModel::Acr39u, 19 + 4 + 1 + 9},
                                                        {sim::ReaderModel::Connect2Sign, 19 + 4}};
    for (const auto& [model, exchanges] : readers) {
        Harness h(Operation::Unblock, sim::demoCardSetup(), model);
        blockPin(h.reader);
        CountingDevice device(h.reader);
        h.plug(device);
        h.runToNewPin();
        h.finishWith("24681357");
        REQUIRE(h.wizard.state().step == Step::Done);
        CHECK(device.bulkOut == exchanges);
        CHECK(device.bulkIn == exchanges);
    }
}
