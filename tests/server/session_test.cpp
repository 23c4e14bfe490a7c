// PIN operation sessions against a real demo server process over loopback.
#include "helpers.hpp"

#include "kamusm/server/crypto.hpp"
#include "kamusm/server/demo.hpp"
#include "kamusm/server/pki.hpp"

using namespace kamusm;
using namespace kamusm::test;
using backend::Confirmation;
using backend::Operation;
using backend::Problem;

namespace {

const Bytes challenge = fromHex("00112233445566778899AABBCCDDEEFF");

Bytes expectedCryptogram(const std::string& serial) {
    return server::unblockCryptogram(server::demoMasterKey(), serial, challenge);
}

} // namespace

TEST_CASE("health reports demo mode") {
    backend::Health health = runSync(demoServer().process.client().health());
    CHECK(health.status == "ok");
    CHECK(health.demo);
}

TEST_CASE("unblock end to end with the SMS code") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Unblock);
    CHECK(session.operation == Operation::Unblock);
    CHECK(session.confirmation == Confirmation::Sms);
    CHECK(session.holder.tcknMasked == "100******46");
    CHECK(session.holder.name == "DEMO KULLANICI");
    CHECK(session.id.size() == 32);

    CHECK(server::checkCertificate(card.keys.certificate, card.keys.caCertificate).status ==
          server::CertificateStatus::Valid);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    backend::SmsSent sent = runSync(client.sendSms(session.id));
    CHECK(sent.sentTo == "*******12");
    CHECK(sent.expiresIn == 180);
    CHECK(sent.resendIn == 60);
    std::vector<backend::OutboxMessage> outbox = runSync(client.demoOutbox());
    REQUIRE_FALSE(outbox.empty());
    CHECK(outbox.back().to.ends_with("12"));
    CHECK(outbox.back().code.size() == 6);
    CHECK(outbox.back().text.find(outbox.back().code) != std::string::npos);

    runSync(client.confirmSms(session.id, outbox.back().code));
    Bytes cryptogram = runSync(client.authorize(session.id, card.serial, challenge));
    CHECK(toHex(cryptogram) == toHex(expectedCryptogram(card.serial)));
    runSync(client.reportOutcome(session.id, backend::Outcome::Success, "PIN set, 3 tries"));

    CHECK(auditEvents(demoServer().database(), session.id) ==
          std::vector<std::string>{"code_used", "card_checked", "sms_sent", "confirmed",
                                   "cryptogram_issued", "outcome"});
}

TEST_CASE("the test vector serial gets the card-profile.md cryptogram over HTTP") {
    auto& client = demoServer().process.client();
    // The vector's serial may already be enrolled by another run of this case: enrolling again
    // for the same holder is allowed.
    backend::DemoCard keys = runSync(client.demoEnrolCard(demoTckn, "123456789012"));
    backend::Session session = openSession(client, Operation::Create, Confirmation::Password);
    runSync(client.checkCard(session.id, "123456789012", keys.certificate));
    runSync(client.confirmPassword(session.id, "demo-parola"));
    CHECK(toHex(runSync(client.authorize(session.id, "123456789012", challenge))) ==
          "90B1BE7C39156A510D670E597A0D7973");
}

TEST_CASE("create end to end with the web password") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Create, Confirmation::Password);
    CHECK(session.confirmation == Confirmation::Password);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    CHECK(failure(client.sendSms(session.id)).problem() == Problem::WrongConfirmationKind);
    CHECK(failure(client.confirmSms(session.id, "123456")).problem() ==
          Problem::WrongConfirmationKind);
    runSync(client.confirmPassword(session.id, "demo-parola"));
    CHECK(runSync(client.authorize(session.id, card.serial, challenge)) ==
          expectedCryptogram(card.serial));
    runSync(client.reportOutcome(session.id, backend::Outcome::Success));
}

TEST_CASE("change needs confirmation but never gets a cryptogram") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Change);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    runSync(client.sendSms(session.id));
    runSync(client.confirmSms(session.id, lastSmsCode(client)));
    backend::Error error = failure(client.authorize(session.id, card.serial, challenge));
    CHECK(error.problem() == Problem::OperationNotAuthorized);
    CHECK(error.status() == 409);
    runSync(client.reportOutcome(session.id, backend::Outcome::WrongState, "card said 6983"));
}

TEST_CASE("three wrong SMS codes lock the session") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Unblock);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    runSync(client.sendSms(session.id));
    std::string right = lastSmsCode(client);
    std::string wrong = right == "000000" ? "111111" : "000000";
    for (int left = 2; left >= 0; --left) {
        backend::Error error = failure(client.confirmSms(session.id, wrong));
        CHECK(error.problem() == Problem::WrongSmsCode);
        CHECK(error.status() == 403);
        CHECK(error.triesLeft() == left);
    }
    backend::Error locked = failure(client.confirmSms(session.id, right));
    CHECK(locked.problem() == Problem::SessionLocked);
    CHECK(locked.status() == 423);
    CHECK(failure(client.authorize(session.id, card.serial, challenge)).problem() ==
          Problem::SessionLocked);
    std::vector<std::string> events = auditEvents(demoServer().database(), session.id);
    CHECK(std::count(events.begin(), events.end(), "confirm_failed") == 3);
    CHECK(std::count(events.begin(), events.end(), "session_locked") == 1);
    CHECK(std::count(events.begin(), events.end(), "cryptogram_issued") == 0);
}

TEST_CASE("wrong web password counts down") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Unblock, Confirmation::Password);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    backend::Error error = failure(client.confirmPassword(session.id, "yanlis-parola"));
    CHECK(error.problem() == Problem::WrongPassword);
    CHECK(error.triesLeft() == 2);
    runSync(client.confirmPassword(session.id, "demo-parola"));
    CHECK(runSync(client.authorize(session.id, card.serial, challenge)).size() == 16);
}

TEST_CASE("a verification code opens one session only") {
    auto& client = demoServer().process.client();
    backend::VerificationCode code =
        runSync(client.demoVerificationCode(demoTckn, Operation::Unblock));
    CHECK(code.code.size() == 15);
    CHECK(code.expiresIn == 300);
    runSync(client.startSession(code.code));
    backend::Error reused = failure(client.startSession(code.code));
    CHECK(reused.problem() == Problem::CodeUsed);
    CHECK(reused.status() == 409);
    std::string unknown = code.code.substr(0, 14) + (code.code.back() == '0' ? "1" : "0");
    CHECK(failure(client.startSession(unknown)).problem() == Problem::CodeUnknown);
}

TEST_CASE("the card is checked against the session's holder") {
    auto& client = demoServer().process.client();
    backend::Session session = openSession(client, Operation::Unblock);
    server::Database db("sqlite:" + demoServer().database().string(), 1);
    server::CertificateAuthority demoCa = server::loadDemoCa(db);
    std::time_t now = std::time(nullptr);

    SUBCASE("a card of another holder") {
        server::IssuedKey other = demoCa.issue("12345678950", "BASKA KISI", now - 60, now + 3600);
        backend::Error error =
            failure(client.checkCard(session.id, freshSerial(), other.certificate));
        CHECK(error.problem() == Problem::WrongHolder);
        CHECK(error.status() == 403);
    }
    SUBCASE("a certificate from another CA") {
        server::CertificateAuthority foreign =
            server::CertificateAuthority::generate("CN=KamuSM PIN Demo CA,O=KamuSM PIN Demo,C=TR");
        server::IssuedKey fake = foreign.issue(demoTckn, "DEMO KULLANICI", now - 60, now + 3600);
        CHECK(failure(client.checkCard(session.id, freshSerial(), fake.certificate)).problem() ==
              Problem::UntrustedCertificate);
    }
    SUBCASE("an expired certificate") {
        server::IssuedKey old = demoCa.issue(demoTckn, "DEMO KULLANICI", now - 7200, now - 3600);
        CHECK(failure(client.checkCard(session.id, freshSerial(), old.certificate)).problem() ==
              Problem::CertificateExpired);
    }
    SUBCASE("a certificate that does not parse") {
        CHECK(failure(client.checkCard(session.id, freshSerial(), Bytes{0x30, 0x00})).problem() ==
              Problem::UntrustedCertificate);
    }
    SUBCASE("a card serial not enrolled for the holder") {
        server::IssuedKey good = demoCa.issue(demoTckn, "DEMO KULLANICI", now - 60, now + 3600);
        CHECK(failure(client.checkCard(session.id, freshSerial(), good.certificate)).problem() ==
              Problem::UnknownCard);
    }
    std::vector<std::string> events = auditEvents(demoServer().database(), session.id);
    CHECK(events.back() == "card_rejected");
}

TEST_CASE("the cryptogram needs the checked card, a confirmation, and comes for one challenge") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Unblock);
    CHECK(failure(client.authorize(session.id, card.serial, challenge)).problem() ==
          Problem::CardNotChecked);
    CHECK(failure(client.sendSms(session.id)).problem() == Problem::CardNotChecked);
    runSync(client.checkCard(session.id, card.serial, card.keys.certificate));
    CHECK(failure(client.confirmSms(session.id, "123456")).problem() == Problem::SmsNotSent);
    CHECK(failure(client.authorize(session.id, card.serial, challenge)).problem() ==
          Problem::NotConfirmed);
    runSync(client.sendSms(session.id));
    backend::Error resend = failure(client.sendSms(session.id));
    CHECK(resend.problem() == Problem::RateLimited);
    CHECK(resend.status() == 429);
    REQUIRE(resend.retryAfter());
    CHECK(*resend.retryAfter() > 0);
    CHECK(*resend.retryAfter() <= 60);
    runSync(client.confirmSms(session.id, lastSmsCode(client)));
    Card other = enrolCard(client);
    CHECK(failure(client.authorize(session.id, other.serial, challenge)).problem() ==
          Problem::CardMismatch);
    CHECK(runSync(client.authorize(session.id, card.serial, challenge)) ==
          expectedCryptogram(card.serial));
    // An answer lost on the way is fetched again with the same challenge; another challenge
    // (a second unblock) is refused.
    CHECK(runSync(client.authorize(session.id, card.serial, challenge)) ==
          expectedCryptogram(card.serial));
    Bytes another = challenge;
    another[0] ^= 0xFF;
    CHECK(failure(client.authorize(session.id, card.serial, another)).problem() ==
          Problem::AuthorizationUsed);
    std::vector<std::string> events = auditEvents(demoServer().database(), session.id);
    CHECK(std::count(events.begin(), events.end(), "cryptogram_issued") == 1);
    CHECK(std::count(events.begin(), events.end(), "cryptogram_reissued") == 1);
    CHECK(events.back() == "authorization_refused");
    runSync(client.reportOutcome(session.id, backend::Outcome::CardRemoved, "removed during RRC"));
    CHECK(failure(client.reportOutcome(session.id, backend::Outcome::Success)).problem() ==
          Problem::OutcomeReported);
}

TEST_CASE("unknown sessions") {
    auto& client = demoServer().process.client();
    backend::Error error = failure(client.sendSms(std::string(32, 'A')));
    CHECK(error.problem() == Problem::SessionUnknown);
    CHECK(error.status() == 404);
    CHECK(failure(client.sendSms("not-a-session")).problem() == Problem::NotFound);
}

TEST_CASE("a session whose outcome is reported is closed for every step") {
    auto& client = demoServer().process.client();
    Card card = enrolCard(client);
    backend::Session session = openSession(client, Operation::Unblock);
    runSync(client.reportOutcome(session.id, backend::Outcome::Cancelled));
    auto closed = [](const backend::Error& error) {
        CHECK(error.problem() == Problem::OutcomeReported);
        CHECK(error.status() == 409);
    };
    closed(failure(client.checkCard(session.id, card.serial, card.keys.certificate)));
    closed(failure(client.sendSms(session.id)));
    closed(failure(client.confirmSms(session.id, "123456")));
    closed(failure(client.confirmPassword(session.id, "demo-parola")));
    closed(failure(client.authorize(session.id, card.serial, challenge)));
    closed(failure(client.reportOutcome(session.id, backend::Outcome::Success)));
    CHECK(auditEvents(demoServer().database(), session.id) ==
          std::vector<std::string>{"code_used", "outcome"});
}

TEST_CASE("the audit log is append-only") {
    auto& client = demoServer().process.client();
    openSession(client, Operation::Unblock);
    server::Database db("sqlite:" + demoServer().database().string(), 1);
    db.transact([](server::Tx& tx) {
        std::int64_t rows = tx.queryOne("SELECT COUNT(*) FROM audit_log")->integer(0);
        CHECK(rows > 0);
        CHECK_THROWS_WITH_AS(tx.execute("UPDATE audit_log SET event = 'x'"),
                             doctest::Contains("append-only"), std::runtime_error);
        CHECK_THROWS_WITH_AS(tx.execute("DELETE FROM audit_log"), doctest::Contains("append-only"),
                             std::runtime_error);
        CHECK(tx.queryOne("SELECT COUNT(*) FROM audit_log")->integer(0) == rows);
        CHECK(tx.queryOne("PRAGMA journal_mode")->text(0) == "wal");
    });
}
