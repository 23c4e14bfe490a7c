// Every card operation on every virtual reader model with both card variants, through the whole
// stack: ccid::Reader → exchange level (T=1, T=0, short/extended APDU) → iso7816 → card.
#include "integration/rig.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using kamusm::testing::Rig;

namespace {

const sim::CardProtocol protocols[] = {sim::CardProtocol::T1, sim::CardProtocol::T0};

std::string label(const sim::ReaderModelInfo& model, sim::CardProtocol protocol) {
    return std::string(model.id) + (protocol == sim::CardProtocol::T1 ? " T=1" : " T=0");
}

} // namespace

TEST_CASE("every operation on every reader model with both card variants") {
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        for (sim::CardProtocol protocol : protocols) {
            CAPTURE(label(model, protocol));
            Rig bench(sim::demoCardSetup(protocol), model.model);
            bench.connect();
            CHECK(card::isAkisCard(bench.session->atr()));
            CHECK(bench.session->protocol() == (protocol == sim::CardProtocol::T1 ? 1 : 0));
            card::AkisCard akis(*bench.session);

            CHECK(runSync(akis.readSerial()) == sim::demoSerial);
            const Bytes signing = runSync(akis.readCertificate(card::Certificate::Signing));
            CHECK(signing == Bytes(sim::demoSigningCertificate().begin(),
                                   sim::demoSigningCertificate().end()));
            const Bytes encryption = runSync(akis.readCertificate(card::Certificate::Encryption));
            CHECK(encryption.size() == sim::demoEncryptionCertificate().size());

            card::PinStatus status = runSync(akis.pinStatus());
            CHECK(status.state == card::PinState::Set);
            CHECK(status.triesLeft == 3);

            try {
                runSync(akis.verifyPin(card::Pin("000000")));
                FAIL("a wrong PIN was accepted");
            } catch (const card::Error& error) {
                CHECK(error.code() == card::ErrorCode::WrongPin);
                CHECK(error.triesLeft() == 2);
            }
            runSync(akis.verifyPin(card::Pin("123456")));
            CHECK(runSync(akis.pinStatus()).state == card::PinState::Verified);

            runSync(akis.changePin(card::Pin("123456"), card::Pin("24681357")));
            runSync(akis.verifyPin(card::Pin("24681357")));
            CHECK(bench.card->pinTriesLeft() == 3);
            CHECK(bench.card->pukCommandsSeen() == 0);
            runSync(bench.session->powerOff());
        }
    }
}

TEST_CASE("the second slot of the two-slot reader") {
    Rig bench(sim::demoCardSetup(), sim::ReaderModel::TwoSlot, 1);
    bench.connect();
    card::AkisCard akis(*bench.session);
    CHECK(runSync(akis.readSerial()) == sim::demoSerial);
    CHECK_THROWS_AS(runSync(bench.host->connect(0)), ccid::Error);
}

TEST_CASE("ACR39U reads the 2 KB certificate at the card's TA1 = 0x96") {
    Rig bench(sim::demoCardSetup());
    bench.connect();
    CHECK(bench.session->fidi() == 0x96);
    CHECK(bench.reader.lineStatistics().fidi == 0x96);
    card::AkisCard akis(*bench.session);
    const Bytes signing = runSync(akis.readCertificate(card::Certificate::Signing));
    CHECK(signing.size() >= 1900);
}

TEST_CASE("a factory-fresh card reports no PIN") {
    sim::CardSetup setup = sim::demoCardSetup();
    setup.pin.reset();
    Rig rig(std::move(setup));
    card::AkisCard akis(rig.connect());
    CHECK(runSync(akis.pinStatus()).state == card::PinState::NotSet);
    try {
        runSync(akis.verifyPin(card::Pin("123456")));
        FAIL("verify on a card without PIN succeeded");
    } catch (const card::Error& error) {
        CHECK(error.code() == card::ErrorCode::PinNotSet);
    }
}

TEST_CASE("three wrong PINs block the card and the PUK is never touched") {
    Rig bench(sim::demoCardSetup(), sim::ReaderModel::Connect2Sign);
    bench.connect();
    card::AkisCard akis(*bench.session);
    for (int tries = 2; tries >= 0; --tries)
        CHECK_THROWS_AS(runSync(akis.verifyPin(card::Pin("999999"))), card::Error);
    CHECK(runSync(akis.pinStatus()).state == card::PinState::Blocked);
    try {
        runSync(akis.verifyPin(card::Pin("123456")));
        FAIL("a blocked PIN verified");
    } catch (const card::Error& error) {
        CHECK(error.code() == card::ErrorCode::PinBlocked);
    }
    CHECK(bench.card->pukCommandsSeen() == 0);
}
