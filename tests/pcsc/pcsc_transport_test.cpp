// reader::PcscTransport over the in-memory PC/SC context: readers and cards, the connection's
// protocol and sharing, APDUs both ways, transactions and the reset at the end, changes waited
// for, and PC/SC failures coming out as pcsc::Error with their code.
#include "kamusm/sim/pcsc.hpp"

#include "kamusm/card/akis.hpp"
#include "kamusm/iso7816/error.hpp"
#include "kamusm/reader/pcsc_transport.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using kamusm::sim::PcscContext;
using kamusm::sim::PcscWorld;

namespace {

const char* const firstReader = "Virtual PCD 00 00";
const char* const secondReader = "Virtual PCD 00 01";

struct Rig {
    std::shared_ptr<PcscWorld> world = std::make_shared<PcscWorld>();
    std::shared_ptr<sim::VirtualCard> card =
        std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    reader::PcscTransport transport{std::make_unique<PcscContext>(world),
                                    reader::TransportKind::Pcsc};

    Rig() {
        world->readers.push_back(sim::emptyPcscReader(firstReader));
        world->readers.push_back(sim::emptyPcscReader(secondReader));
        world->insert(secondReader, card);
    }
    std::unique_ptr<reader::Card> connect(const char* slot = secondReader) {
        return runSync(transport.connect(slot));
    }
};

// The code of the pcsc::Error `run` throws (nullopt when it throws none or another type).
template <typename Run> std::optional<pcsc::ErrorCode> pcscFailure(Run run) {
    try {
        run();
    } catch (const pcsc::Error& error) {
        return error.code();
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("slots lists every reader with whether a card is in it, without waiting") {
    Rig rig;
    const std::vector<reader::Slot> slots = runSync(rig.transport.slots());
    CHECK(slots == std::vector<reader::Slot>{{firstReader, false}, {secondReader, true}});
    REQUIRE(rig.world->waitTimeouts.size() == 1);
    CHECK(rig.world->waitTimeouts[0] == pcsc::Milliseconds(0));
    CHECK(rig.transport.kind() == reader::TransportKind::Pcsc);
}

TEST_CASE("no readers is an empty list, not an error") {
    Rig rig;
    rig.world->readers.clear();
    CHECK(runSync(rig.transport.slots()).empty());
    CHECK(rig.world->waitSizes.empty()); // nothing to ask about
}

TEST_CASE("connect asks for shared access, T=1 before T=0, and parses the ATR") {
    Rig rig;
    const auto card = rig.connect();
    REQUIRE(rig.world->accessModes.size() == 1);
    CHECK(rig.world->accessModes[0] == pcsc::AccessMode::Shared);
    CHECK(rig.world->preferredProtocols[0] ==
          std::vector<pcsc::Protocol>{pcsc::Protocol::T1, pcsc::Protocol::T0});
    CHECK(card->atr().raw == rig.card->atr());
    const auto* pcscCard = dynamic_cast<const reader::PcscCard*>(card.get());
    REQUIRE(pcscCard != nullptr);
    CHECK(pcscCard->activeProtocol() == pcsc::Protocol::T1);
    CHECK(card::isAkisCard(card->atr()));
    CHECK_FALSE(card->extendedApdus());
}

TEST_CASE("APDUs go to the card and its responses come back parsed") {
    Rig rig;
    const auto card = rig.connect();
    const iso7816::ResponseApdu serial =
        runSync(card->transmitRaw(iso7816::CommandApdu{0x00, 0xCA, 0x01, 0x06, {}, 0x4D}));
    CHECK(serial.sw() == 0x9000);
    CHECK(serial.data.size() == 77);
    REQUIRE(rig.world->commands.size() == 1);
    CHECK(toHex(rig.world->commands[0]) == "00CA01064D");

    card::AkisCard akis(*card);
    CHECK(runSync(akis.readSerial()) == sim::demoSerial);
    const Bytes certificate = runSync(akis.readCertificate(card::Certificate::Signing));
    CHECK(certificate == rig.card->setup().signingCertificate);
}

TEST_CASE("a PIN operation runs in a transaction and the card is unpowered at disconnect") {
    Rig rig;
    const auto card = rig.connect();
    card::AkisCard akis(*card);
    runSync(card->beginTransaction());
    runSync(akis.verifyPin(card::Pin("123456")));
    CHECK(rig.card->pinVerified());
    runSync(card->endTransaction());
    runSync(card->disconnect());
    CHECK_FALSE(rig.card->pinVerified());
    CHECK(rig.world->calls == std::vector<std::string>{"begin", "end leave", "disconnect unpower"});
    // A disconnected card refuses further use, and a second disconnect does nothing.
    CHECK(pcscFailure([&] { runSync(akis.readSerial()); }) == pcsc::ErrorCode::InvalidState);
    runSync(card->disconnect());
    CHECK(rig.world->calls.size() == 3);
}

TEST_CASE("PC/SC failures come out as pcsc::Error with the SCARD code") {
    Rig rig;
    SUBCASE("the card removed between two APDUs: removed-card") {
        const auto card = rig.connect();
        card::AkisCard akis(*card);
        CHECK(runSync(akis.readSerial()) == sim::demoSerial);
        rig.world->remove(secondReader);
        try {
            runSync(akis.readSerial());
            FAIL("no error");
        } catch (const pcsc::Error& error) {
            CHECK(error.code() == pcsc::ErrorCode::RemovedCard);
            CHECK(error.scardError() == sim::scard::removedCard);
        }
    }
    SUBCASE("a card put back is another card to an old connection") {
        const auto card = rig.connect();
        rig.world->remove(secondReader);
        rig.world->insert(secondReader, rig.card);
        CHECK(pcscFailure([&] { runSync(card->beginTransaction()); }) ==
              pcsc::ErrorCode::RemovedCard);
        CHECK(runSync(card::AkisCard(*rig.connect()).readSerial()) == sim::demoSerial);
    }
    SUBCASE("another program holds the card exclusively: sharing-violation") {
        rig.world->find(secondReader)->heldExclusively = true;
        CHECK(pcscFailure([&] { rig.connect(); }) == pcsc::ErrorCode::SharingViolation);
    }
    SUBCASE("no card in the reader: no-smartcard") {
        CHECK(pcscFailure([&] { rig.connect(firstReader); }) == pcsc::ErrorCode::NoSmartcard);
    }
    SUBCASE("a reader that is not there: reader-unavailable") {
        CHECK(pcscFailure([&] { rig.connect("Nope 00 00"); }) ==
              pcsc::ErrorCode::ReaderUnavailable);
    }
    SUBCASE("no PC/SC service: no-service, for listing and for waiting") {
        rig.world->serviceRunning = false;
        CHECK(pcscFailure([&] { runSync(rig.transport.slots()); }) == pcsc::ErrorCode::NoService);
        CHECK(pcscFailure([&] { runSync(rig.transport.waitForChange()); }) ==
              pcsc::ErrorCode::NoService);
    }
    SUBCASE("the service stops under a connected card: no-service") {
        const auto card = rig.connect();
        rig.world->serviceRunning = false;
        CHECK(pcscFailure([&] { runSync(card::AkisCard(*card).readSerial()); }) ==
              pcsc::ErrorCode::NoService);
    }
}

TEST_CASE("a card whose ATR does not parse is let go as it was") {
    Rig rig;
    rig.world->find(secondReader)->reportedAtr = fromHex("3B 9F 96");
    CHECK_THROWS_AS(rig.connect(), iso7816::Error);
    CHECK(rig.world->calls == std::vector<std::string>{"disconnect leave"});
}

TEST_CASE("waitForChange returns when a card comes or goes, or a reader is added") {
    Rig rig;
    runSync(rig.transport.slots());
    SUBCASE("a card is put in") {
        rig.world->whileWaiting = [&] {
            rig.world->insert(firstReader,
                              std::make_shared<sim::VirtualCard>(sim::demoCardSetup()));
        };
        runSync(rig.transport.waitForChange());
        CHECK(runSync(rig.transport.slots()) ==
              std::vector<reader::Slot>{{firstReader, true}, {secondReader, true}});
    }
    SUBCASE("the card is taken out") {
        rig.world->whileWaiting = [&] { rig.world->remove(secondReader); };
        runSync(rig.transport.waitForChange());
        CHECK(runSync(rig.transport.slots())[1] == reader::Slot{secondReader, false});
    }
    SUBCASE("a reader is plugged in: the PnP notification reader") {
        rig.world->whileWaiting = [&] {
            rig.world->readers.push_back(sim::emptyPcscReader("Another Reader 00 00"));
        };
        runSync(rig.transport.waitForChange());
        CHECK(runSync(rig.transport.slots()).size() == 3);
    }
    SUBCASE("a reader is unplugged") {
        rig.world->whileWaiting = [&] { rig.world->readers.erase(rig.world->readers.begin()); };
        runSync(rig.transport.waitForChange());
        CHECK(runSync(rig.transport.slots()) == std::vector<reader::Slot>{{secondReader, true}});
    }
    // Every wait watched the known readers plus the PnP reader, with no timeout.
    CHECK(rig.world->waitSizes[1] == 3);
    CHECK_FALSE(rig.world->waitTimeouts[1].has_value());
}

TEST_CASE("a stack without the PnP reader: the next waits watch the known readers alone") {
    Rig rig;
    rig.world->pnpReader = false;
    runSync(rig.transport.slots());
    runSync(rig.transport.waitForChange()); // the unknown PnP reader ends the first wait
    rig.world->whileWaiting = [&] { rig.world->remove(secondReader); };
    runSync(rig.transport.waitForChange());
    CHECK(rig.world->waitSizes.back() == 2);
    CHECK(runSync(rig.transport.slots())[1] == reader::Slot{secondReader, false});
}

TEST_CASE("a wait on unchanged readers keeps waiting (the states passed in are the last seen)") {
    Rig rig;
    runSync(rig.transport.slots());
    // Nothing changes while it waits: the fake reports that it would block.
    CHECK_THROWS_AS(runSync(rig.transport.waitForChange()), std::logic_error);
}

TEST_CASE("close releases the context; the transport refuses calls after it") {
    Rig rig;
    runSync(rig.transport.close());
    CHECK(pcscFailure([&] { runSync(rig.transport.slots()); }) == pcsc::ErrorCode::InvalidState);
    CHECK(pcscFailure([&] { rig.connect(); }) == pcsc::ErrorCode::InvalidState);
}
