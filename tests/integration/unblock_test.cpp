// PIN creation and unblocking with the backend's cryptogram, the certificate summary and the
// signature self-test, through the whole stack on every reader model and both card variants.
#include "integration/rig.hpp"
#include "kamusm/card/certificate.hpp"
#include "kamusm/card/self_test.hpp"
#include "kamusm/card/unblock.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using kamusm::testing::Rig;

namespace {

// Plays the backend: the cryptogram of card-profile.md with the demo master key.
card::Authorizer backendFor(const sim::VirtualCard& card) {
    return [&card](const Bytes& challenge) -> Task<Bytes> {
        const Bytes key =
            sim::VirtualCard::deriveUnblockKey(card.setup().masterKey, card.setup().serial);
        co_return sim::VirtualCard::unblockCryptogram(key, challenge, card.setup().serial);
    };
}

} // namespace

TEST_CASE("the signing certificate's summary") {
    const card::CertificateInfo info = card::parseCertificate(sim::demoSigningCertificate());
    CHECK(info.holderName == sim::demoHolderName);
    CHECK(info.tckn == sim::demoTckn);
    CHECK(info.nonRepudiation);
    CHECK(info.sha256.size() == 32 * 3 - 1);
    CHECK(info.notBefore < info.notAfter);
    CHECK_THROWS_AS(card::parseCertificate(fromHex("30 03 02 01 00")), card::Error);
}

TEST_CASE("create a PIN on a fresh card, then verify it and sign") {
    for (const sim::ReaderModelInfo& model : sim::readerModels()) {
        for (auto protocol : {sim::CardProtocol::T1, sim::CardProtocol::T0}) {
            CAPTURE(model.id);
            sim::CardSetup setup = sim::demoCardSetup(protocol);
            setup.pin.reset();
            Rig rig(std::move(setup), model.model);
            card::AkisCard akis(rig.connect());
            CHECK(runSync(akis.pinStatus()).state == card::PinState::NotSet);

            runSync(
                card::setPinWithAuthorization(akis, card::Pin("24681357"), backendFor(*rig.card)));
            CHECK(runSync(akis.pinStatus()).state == card::PinState::Set);
            runSync(akis.verifyPin(card::Pin("24681357")));
            const Bytes certificate = runSync(akis.readCertificate(card::Certificate::Signing));
            CHECK(runSync(card::signatureSelfTest(akis, certificate)));
            CHECK(rig.card->pukCommandsSeen() == 0);
        }
    }
}

TEST_CASE("unblock a blocked PIN") {
    Rig rig(sim::demoCardSetup(), sim::ReaderModel::Connect2Sign);
    card::AkisCard akis(rig.connect());
    for (int i = 0; i < 3; ++i)
        CHECK_THROWS_AS(runSync(akis.verifyPin(card::Pin("999999"))), card::Error);
    CHECK(runSync(akis.pinStatus()).state == card::PinState::Blocked);

    runSync(card::setPinWithAuthorization(akis, card::Pin("97531864"), backendFor(*rig.card)));
    const card::PinStatus status = runSync(akis.pinStatus());
    CHECK(status.state == card::PinState::Set);
    CHECK(status.triesLeft == 3);
    runSync(akis.verifyPin(card::Pin("97531864")));
    CHECK(rig.card->pukCommandsSeen() == 0);
}

TEST_CASE("a wrong cryptogram is refused and counts down the admin key") {
    Rig rig(sim::demoCardSetup());
    card::AkisCard akis(rig.connect());
    const card::Authorizer wrong = [](const Bytes&) -> Task<Bytes> { co_return Bytes(16, 0x55); };
    try {
        runSync(card::setPinWithAuthorization(akis, card::Pin("97531864"), wrong));
        FAIL("a wrong cryptogram was accepted");
    } catch (const card::Error& error) {
        CHECK(error.code() == card::ErrorCode::AuthorizationRefused);
        CHECK(error.triesLeft() == 9);
    }
    // The old PIN is untouched.
    runSync(akis.verifyPin(card::Pin("123456")));
}

TEST_CASE("a bad new PIN is refused by the card after a valid authorization") {
    Rig rig(sim::demoCardSetup());
    card::AkisCard akis(rig.connect());
    try {
        runSync(card::setPinWithAuthorization(akis, card::Pin("12345"), backendFor(*rig.card)));
        FAIL("a 5-digit PIN was set");
    } catch (const card::Error& error) {
        CHECK(error.code() == card::ErrorCode::PinFormat);
    }
}

TEST_CASE("the self-test needs the PIN") {
    Rig rig(sim::demoCardSetup());
    card::AkisCard akis(rig.connect());
    try {
        runSync(card::signatureSelfTest(akis, sim::demoSigningCertificate()));
        FAIL("the card signed without the PIN");
    } catch (const card::Error& error) {
        CHECK(error.code() == card::ErrorCode::SecurityNotSatisfied);
    }
}

TEST_CASE(
    "the card removed between authorization and RESET RETRY COUNTER leaves the PIN as it was") {
    Rig rig(sim::demoCardSetup());
    card::AkisCard akis(rig.connect());
    const card::Authorizer removeDuring = [&rig](const Bytes& challenge) -> Task<Bytes> {
        Bytes cryptogram = co_await backendFor(*rig.card)(challenge);
        rig.reader.faults().cardRemoved = true;
        co_return cryptogram;
    };
    CHECK_THROWS_AS(
        runSync(card::setPinWithAuthorization(akis, card::Pin("97531864"), removeDuring)),
        ccid::Error);
    rig.reader.faults().cardRemoved = false;
    card::AkisCard again(rig.connect());
    runSync(again.verifyPin(card::Pin("123456"))); // the old PIN still holds
}
