#include "kamusm/server/sessions.hpp"

#include "kamusm/server/api_error.hpp"
#include "kamusm/server/crypto.hpp"
#include "kamusm/server/pki.hpp"

#include <ctime>

namespace kamusm::server {

using backend::Problem;

namespace {

constexpr int confirmTries = 3;

std::int64_t now() {
    return std::time(nullptr);
}

std::string codeHash(const std::string& code) {
    return toHex(sha256(ByteView(reinterpret_cast<const std::uint8_t*>(code.data()), code.size())));
}

std::optional<std::string> optionalText(const Row& row, std::size_t column) {
    if (row.isNull(column)) return std::nullopt;
    return row.text(column);
}

nlohmann::json reason(Problem problem) {
    return {{"reason", std::string(backend::problemSlug(problem))}};
}

} // namespace

struct Sessions::State {
    std::string id;
    std::string tckn;
    backend::Operation operation;
    backend::Confirmation confirmation;
    std::int64_t expiresAt;
    std::optional<std::string> cardSerial;
    std::optional<std::string> smsCode;
    std::int64_t smsExpiresAt;
    std::int64_t smsSentAt;
    int triesLeft;
    bool confirmed;
    bool authorized;
    std::optional<std::string> challenge;
    bool outcomeReported;
};

Sessions::Sessions(const Config& config, Database& db, SmsOutbox& sms, Bytes masterKey,
                   Bytes caCertificate)
    : config_(config), db_(db), sms_(sms), limits_(config), masterKey_(std::move(masterKey)),
      caCertificate_(std::move(caCertificate)) {}

Sessions::State Sessions::load(Tx& tx, const std::string& id, Access access) {
    tx.lock("session:" + id);
    auto row = tx.queryOne(
        "SELECT id, tckn, operation, confirmation, expires_at, card_serial, sms_code, "
        "sms_expires_at, sms_sent_at, tries_left, confirmed, authorized, challenge, outcome "
        "FROM sessions WHERE id = ?",
        {id});
    if (!row) throw ApiError(Problem::SessionUnknown, "no such session");
    State state{row->text(0),
                row->text(1),
                backend::operationFromString(row->text(2)),
                backend::confirmationFromString(row->text(3)),
                row->integer(4),
                optionalText(*row, 5),
                optionalText(*row, 6),
                row->isNull(7) ? 0 : row->integer(7),
                row->isNull(8) ? 0 : row->integer(8),
                static_cast<int>(row->integer(9)),
                row->integer(10) != 0,
                row->integer(11) != 0,
                optionalText(*row, 12),
                !row->isNull(13)};
    if (state.outcomeReported)
        throw ApiError(Problem::OutcomeReported,
                       access == Access::Report
                           ? "this session's outcome is already recorded"
                           : "this session is closed: its outcome is recorded; start again with "
                             "a new verification code");
    // A client may report on an expired or locked session: the audit log wants the outcome.
    if (access == Access::Report) return state;
    if (state.expiresAt <= now())
        throw ApiError(Problem::SessionExpired, "the session has expired; start again with a new "
                                                "verification code");
    if (state.triesLeft <= 0)
        throw ApiError(Problem::SessionLocked, "the session is locked after too many wrong "
                                               "confirmations");
    return state;
}

void Sessions::refuse(Tx& tx, const State& state, const std::string& ip, AuditEvent event,
                      Problem problem, const std::string& detail) {
    appendAudit(tx, {event, state.id, state.tckn, ip, reason(problem)});
    throw RecordedFailure(problem, detail);
}

void Sessions::limit(Tx& tx, Limit which, const std::string& key, const std::string& ip) {
    if (auto retryAfter = limits_.hit(tx, which, key, ip))
        throw RecordedFailure(Problem::RateLimited, "too many attempts; try again later",
                              std::nullopt, retryAfter);
}

std::string Sessions::issueCode(Tx& tx, const std::string& tckn, backend::Operation operation,
                                backend::Confirmation confirmation) {
    std::string code = randomDigits(15);
    tx.execute("INSERT INTO verification_codes (code_hash, tckn, operation, confirmation, "
               "expires_at) VALUES (?, ?, ?, ?, ?)",
               {codeHash(code), tckn, std::string(backend::wireName(operation)),
                std::string(backend::wireName(confirmation)), now() + config_.codeLifetime});
    appendAudit(
        tx, {AuditEvent::CodeIssued, {}, tckn, {}, {{"operation", backend::wireName(operation)}}});
    return code;
}

// Spent codes and finished sessions are kept a day (the audit log keeps their story for good).
void Sessions::purge() {
    constexpr std::int64_t keep = 24 * 3600;
    db_.transact([&](Tx& tx) {
        tx.execute("DELETE FROM verification_codes WHERE expires_at < ?", {now() - keep});
        tx.execute("DELETE FROM sessions WHERE expires_at < ?", {now() - keep});
        tx.execute("DELETE FROM sms_outbox WHERE delivered_at < ?", {now() - keep});
        limits_.purge(tx);
    });
}

backend::Session Sessions::start(const std::string& code, const std::string& ip) {
    return db_.transact([&](Tx& tx) {
        limit(tx, Limit::CodeAttemptsPerIp, ip, ip);
        // Looked up by hash: the lookup time then tells nothing about the code's digits.
        tx.lock("code:" + codeHash(code));
        auto row =
            tx.queryOne("SELECT code_hash, tckn, operation, confirmation, expires_at, used_at "
                        "FROM verification_codes WHERE code_hash = ?",
                        {codeHash(code)});
        auto reject = [&](Problem problem, const std::string& tckn, const std::string& detail) {
            appendAudit(tx, {AuditEvent::CodeRejected, {}, tckn, ip, reason(problem)});
            throw RecordedFailure(problem, detail);
        };
        if (!row) reject(Problem::CodeUnknown, {}, "no such verification code");
        std::string tckn = row->text(1);
        if (!row->isNull(5))
            reject(Problem::CodeUsed, tckn, "this verification code was already used");
        if (row->integer(4) <= now())
            reject(Problem::CodeExpired, tckn, "this verification code has expired; get a new one");
        auto holder = findHolder(tx, tckn);
        if (!holder) reject(Problem::CodeUnknown, tckn, "the code's holder is no longer known");
        // Refused before the code is spent, so the holder can use it once the window passed.
        if (auto retryAfter = limits_.hit(tx, Limit::SessionsPerHolder, tckn, ip))
            throw RecordedFailure(Problem::RateLimited,
                                  "too many sessions for this holder; try again later",
                                  std::nullopt, retryAfter);

        std::string id = toHex(randomBytes(16));
        tx.execute("UPDATE verification_codes SET used_at = ? WHERE code_hash = ?",
                   {now(), row->text(0)});
        tx.execute("INSERT INTO sessions (id, tckn, operation, confirmation, expires_at, "
                   "tries_left) VALUES (?, ?, ?, ?, ?, ?)",
                   {id, tckn, row->text(2), row->text(3), now() + config_.sessionLifetime,
                    static_cast<std::int64_t>(confirmTries)});
        appendAudit(tx, {AuditEvent::CodeUsed, id, tckn, ip, {{"operation", row->text(2)}}});
        return backend::Session{id, backend::operationFromString(row->text(2)),
                                backend::Holder{holder->name, maskTckn(tckn), holder->birthYear},
                                backend::confirmationFromString(row->text(3)),
                                config_.sessionLifetime};
    });
}

void Sessions::checkCard(const std::string& id, const std::string& serial, const Bytes& certificate,
                         const std::string& ip) {
    // The signature check needs no state: it runs before the transaction.
    CertificateCheck check = checkCertificate(certificate, caCertificate_);
    db_.transact([&](Tx& tx) {
        State state = load(tx, id, Access::Active);
        auto rejected = [&](Problem problem, const std::string& detail) {
            refuse(tx, state, ip, AuditEvent::CardRejected, problem, detail);
        };
        if (state.authorized && state.cardSerial != serial)
            rejected(Problem::CardMismatch, "this session already authorized another card");
        switch (check.status) {
        case CertificateStatus::Malformed:
            rejected(Problem::UntrustedCertificate, "the card's certificate does not parse");
        case CertificateStatus::Untrusted:
            rejected(Problem::UntrustedCertificate,
                     "the card's certificate was not issued by the KamuSM CA");
        case CertificateStatus::Expired:
            rejected(Problem::CertificateExpired,
                     "the card's certificate is outside its validity period");
        case CertificateStatus::Valid:
            break;
        }
        if (!constantTimeEqual(check.tckn, state.tckn))
            rejected(Problem::WrongHolder, "this card belongs to another person");
        if (cardHolder(tx, serial) != state.tckn)
            rejected(Problem::UnknownCard, "this card is not enrolled for the holder");
        tx.execute("UPDATE sessions SET card_serial = ? WHERE id = ?", {serial, id});
        appendAudit(tx, {AuditEvent::CardChecked, id, state.tckn, ip, {{"serial", serial}}});
    });
}

backend::SmsSent Sessions::sendSms(const std::string& id, const std::string& ip) {
    return db_.transact([&](Tx& tx) {
        State state = load(tx, id, Access::Active);
        if (state.confirmation != backend::Confirmation::Sms)
            throw ApiError(Problem::WrongConfirmationKind,
                           "the holder confirms with the web password");
        if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
        if (state.smsSentAt != 0 && now() - state.smsSentAt < config_.smsResendInterval)
            throw ApiError(Problem::RateLimited, "an SMS was sent a moment ago", std::nullopt,
                           static_cast<int>(state.smsSentAt + config_.smsResendInterval - now()));
        limit(tx, Limit::SmsPerHolder, state.tckn, ip);
        auto holder = findHolder(tx, state.tckn);
        if (!holder)
            throw ApiError(Problem::SessionUnknown, "the session's holder is no longer known");

        std::string code = randomDigits(6);
        tx.execute(
            "UPDATE sessions SET sms_code = ?, sms_expires_at = ?, sms_sent_at = ? WHERE id = ?",
            {code, now() + config_.smsLifetime, now(), id});
        sms_.queue(tx, {holder->phone,
                        "KamuSM PIN islemi dogrulama kodunuz: " + code +
                            ". Bu kodu kimseyle paylasmayin. / Your KamuSM PIN verification code.",
                        code});
        appendAudit(tx, {AuditEvent::SmsSent, id, state.tckn, ip, nlohmann::json::object()});
        return backend::SmsSent{maskPhone(holder->phone), config_.smsLifetime,
                                config_.smsResendInterval};
    });
}

void Sessions::confirm(const std::string& id, backend::Confirmation kind, const std::string& secret,
                       const std::string& ip) {
    // PBKDF2 takes tens of milliseconds: it runs outside the transaction, and only for attempts
    // the limits let through.
    std::optional<PasswordHash> stored;
    if (kind == backend::Confirmation::Password)
        stored = db_.transact([&](Tx& tx) {
            State state = load(tx, id, Access::Active);
            for (auto [which, key] : {std::pair{Limit::ConfirmAttemptsPerIp, ip},
                                      std::pair{Limit::ConfirmAttemptsPerHolder, state.tckn}})
                if (auto retryAfter = limits_.check(tx, which, key, ip))
                    throw RecordedFailure(Problem::RateLimited,
                                          "too many attempts; try again later", std::nullopt,
                                          retryAfter);
            return holderPassword(tx, state.tckn);
        });
    bool passwordRight = stored && passwordMatches(*stored, secret);

    db_.transact([&](Tx& tx) {
        State state = load(tx, id, Access::Active);
        if (state.confirmed) return;
        if (kind != state.confirmation)
            throw ApiError(Problem::WrongConfirmationKind,
                           state.confirmation == backend::Confirmation::Sms
                               ? "the holder confirms with an SMS code"
                               : "the holder confirms with the web password");
        if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
        limit(tx, Limit::ConfirmAttemptsPerIp, ip, ip);
        limit(tx, Limit::ConfirmAttemptsPerHolder, state.tckn, ip);

        bool right = passwordRight;
        if (kind == backend::Confirmation::Sms) {
            if (!state.smsCode)
                throw RecordedFailure(Problem::SmsNotSent, "send the SMS code first");
            if (state.smsExpiresAt <= now())
                throw RecordedFailure(Problem::SmsCodeExpired,
                                      "the SMS code has expired; send a new one");
            right = constantTimeEqual(secret, *state.smsCode);
        }
        if (!right) {
            int triesLeft = state.triesLeft - 1;
            tx.execute("UPDATE sessions SET tries_left = ? WHERE id = ?",
                       {static_cast<std::int64_t>(triesLeft), id});
            appendAudit(tx, {AuditEvent::ConfirmFailed,
                             id,
                             state.tckn,
                             ip,
                             {{"kind", backend::wireName(kind)}, {"tries_left", triesLeft}}});
            if (triesLeft == 0) appendAudit(tx, {AuditEvent::SessionLocked, id, state.tckn, ip});
            bool sms = kind == backend::Confirmation::Sms;
            throw RecordedFailure(sms ? Problem::WrongSmsCode : Problem::WrongPassword,
                                  sms ? "wrong SMS code" : "wrong password", triesLeft);
        }
        tx.execute("UPDATE sessions SET confirmed = 1, sms_code = NULL WHERE id = ?", {id});
        appendAudit(
            tx, {AuditEvent::Confirmed, id, state.tckn, ip, {{"kind", backend::wireName(kind)}}});
    });
}

Bytes Sessions::authorize(const std::string& id, const std::string& serial, const Bytes& challenge,
                          const std::string& ip) {
    return db_.transact([&](Tx& tx) {
        State state = load(tx, id, Access::Active);
        if (state.operation == backend::Operation::Change)
            throw ApiError(Problem::OperationNotAuthorized,
                           "a PIN change needs no authorization: the card checks the current PIN");
        if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
        auto refused = [&](Problem problem, const std::string& detail) {
            refuse(tx, state, ip, AuditEvent::AuthorizationRefused, problem, detail);
        };
        if (*state.cardSerial != serial)
            refused(Problem::CardMismatch, "this is not the card that was checked");
        if (!state.confirmed)
            refused(Problem::NotConfirmed, "confirm with the SMS code or web password first");
        std::string challengeHex = toHex(challenge);
        nlohmann::json detail{{"serial", serial},
                              {"operation", backend::wireName(state.operation)}};
        if (state.authorized) {
            if (state.challenge != challengeHex)
                refused(Problem::AuthorizationUsed,
                        "this session's authorization was already issued; start a new session");
            appendAudit(tx, {AuditEvent::CryptogramReissued, id, state.tckn, ip, detail});
        } else {
            tx.execute("UPDATE sessions SET authorized = 1, challenge = ? WHERE id = ?",
                       {challengeHex, id});
            appendAudit(tx, {AuditEvent::CryptogramIssued, id, state.tckn, ip, detail});
        }
        return unblockCryptogram(masterKey_, serial, challenge);
    });
}

void Sessions::reportOutcome(const std::string& id, backend::Outcome outcome,
                             const std::string& detail, const std::string& ip) {
    db_.transact([&](Tx& tx) {
        State state = load(tx, id, Access::Report);
        std::string result(backend::wireName(outcome));
        tx.execute("UPDATE sessions SET outcome = ? WHERE id = ?", {result, id});
        appendAudit(tx, {AuditEvent::Outcome,
                         id,
                         state.tckn,
                         ip,
                         {{"result", result},
                          {"detail", detail},
                          {"operation", backend::wireName(state.operation)},
                          {"serial", state.cardSerial.value_or("")},
                          {"authorized", state.authorized}}});
    });
}

} // namespace kamusm::server
