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
    bool outcomeReported;
};

Sessions::Sessions(const Config& config, Database& db, SmsGateway& sms, Bytes masterKey,
                   Bytes caCertificate)
    : config_(config), db_(db), sms_(sms), holders_(db), audit_(db),
      masterKey_(std::move(masterKey)), caCertificate_(std::move(caCertificate)),
      codesPerIp_(config.codeAttemptsPerIp, config.rateWindow),
      sessionsPerHolder_(config.sessionsPerHolder, config.rateWindow),
      confirmsPerIp_(config.confirmAttemptsPerIp, config.rateWindow),
      confirmsPerHolder_(config.confirmAttemptsPerHolder, config.rateWindow),
      smsPerHolder_(config.smsPerHolder, config.rateWindow) {}

Sessions::State Sessions::load(const std::string& id, bool allowInactive) {
    auto row =
        db_.queryOne("SELECT id, tckn, operation, confirmation, expires_at, card_serial, sms_code, "
                     "sms_expires_at, sms_sent_at, tries_left, confirmed, authorized, outcome "
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
                !row->isNull(12)};
    if (allowInactive) return state;
    if (state.expiresAt <= now())
        throw ApiError(Problem::SessionExpired, "the session has expired; start again with a new "
                                                "verification code");
    if (state.triesLeft <= 0)
        throw ApiError(Problem::SessionLocked, "the session is locked after too many wrong "
                                               "confirmations");
    return state;
}

void Sessions::fail(const State& state, const std::string& ip, const std::string& event,
                    Problem problem, const std::string& detail) {
    audit_.append({event,
                   state.id,
                   state.tckn,
                   ip,
                   {{"reason", std::string(backend::problemSlug(problem))}}});
    throw ApiError(problem, detail);
}

void Sessions::limit(RateLimiter& limiter, const std::string& key, const std::string& ip,
                     const std::string& what) {
    if (auto retryAfter = limiter.hit(key)) {
        audit_.append({"rate_limited", {}, {}, ip, {{"what", what}}});
        throw ApiError(Problem::RateLimited, "too many attempts; try again later", std::nullopt,
                       retryAfter);
    }
}

std::string Sessions::issueCode(const std::string& tckn, backend::Operation operation,
                                backend::Confirmation confirmation) {
    std::lock_guard lock(db_.mutex());
    std::string code = randomDigits(15);
    db_.execute("INSERT INTO verification_codes (code_hash, tckn, operation, confirmation, "
                "expires_at) VALUES (?, ?, ?, ?, ?)",
                {codeHash(code), tckn, std::string(backend::wireName(operation)),
                 std::string(backend::wireName(confirmation)), now() + config_.codeLifetime});
    audit_.append({"code_issued", {}, tckn, {}, {{"operation", backend::wireName(operation)}}});
    return code;
}

// Spent codes and finished sessions are kept a day (the audit log keeps their story for good).
void Sessions::purgeOld() {
    constexpr std::int64_t keep = 24 * 3600;
    db_.execute("DELETE FROM verification_codes WHERE expires_at < ?", {now() - keep});
    db_.execute("DELETE FROM sessions WHERE expires_at < ?", {now() - keep});
    db_.execute("DELETE FROM sms_outbox WHERE sent_at < ?", {now() - keep});
}

backend::Session Sessions::start(const std::string& code, const std::string& ip) {
    limit(codesPerIp_, ip, ip, "code");
    purgeOld();
    Transaction transaction(db_);
    // Looked up by hash: the lookup time then tells nothing about the code's digits.
    auto row = db_.queryOne("SELECT code_hash, tckn, operation, confirmation, expires_at, used_at "
                            "FROM verification_codes WHERE code_hash = ?",
                            {codeHash(code)});
    auto reject = [&](Problem problem, const std::string& tckn, const std::string& detail) {
        audit_.append({"code_rejected",
                       {},
                       tckn,
                       ip,
                       {{"reason", std::string(backend::problemSlug(problem))}}});
        transaction.commit();
        throw ApiError(problem, detail);
    };
    if (!row) reject(Problem::CodeUnknown, {}, "no such verification code");
    std::string tckn = row->text(1);
    if (!row->isNull(5)) reject(Problem::CodeUsed, tckn, "this verification code was already used");
    if (row->integer(4) <= now())
        reject(Problem::CodeExpired, tckn, "this verification code has expired; get a new one");
    auto holder = holders_.find(tckn);
    if (!holder) reject(Problem::CodeUnknown, tckn, "the code's holder is no longer known");
    // Refused before the code is spent, so the holder can use it once the window passed.
    if (auto retryAfter = sessionsPerHolder_.hit(tckn)) {
        audit_.append({"rate_limited", {}, tckn, ip, {{"what", "session"}}});
        transaction.commit();
        throw ApiError(Problem::RateLimited, "too many sessions for this holder; try again later",
                       std::nullopt, retryAfter);
    }

    std::string id = toHex(randomBytes(16));
    std::int64_t expiresAt = now() + config_.sessionLifetime;
    db_.execute("UPDATE verification_codes SET used_at = ? WHERE code_hash = ?",
                {now(), row->text(0)});
    db_.execute(
        "INSERT INTO sessions (id, tckn, operation, confirmation, expires_at, tries_left) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {id, tckn, row->text(2), row->text(3), expiresAt, static_cast<std::int64_t>(confirmTries)});
    audit_.append({"code_used", id, tckn, ip, {{"operation", row->text(2)}}});
    transaction.commit();
    return backend::Session{id, backend::operationFromString(row->text(2)),
                            backend::Holder{holder->name, maskTckn(tckn), holder->birthYear},
                            backend::confirmationFromString(row->text(3)), config_.sessionLifetime};
}

void Sessions::checkCard(const std::string& id, const std::string& serial, const Bytes& certificate,
                         const std::string& ip) {
    std::lock_guard lock(db_.mutex());
    State state = load(id);
    if (state.authorized && state.cardSerial != serial)
        fail(state, ip, "card_rejected", Problem::CardMismatch,
             "this session already authorized another card");
    CertificateCheck check = checkCertificate(certificate, caCertificate_);
    switch (check.status) {
    case CertificateStatus::Malformed:
        fail(state, ip, "card_rejected", Problem::UntrustedCertificate,
             "the card's certificate does not parse");
    case CertificateStatus::Untrusted:
        fail(state, ip, "card_rejected", Problem::UntrustedCertificate,
             "the card's certificate was not issued by the KamuSM CA");
    case CertificateStatus::Expired:
        fail(state, ip, "card_rejected", Problem::CertificateExpired,
             "the card's certificate is outside its validity period");
    case CertificateStatus::Valid:
        break;
    }
    if (!constantTimeEqual(check.tckn, state.tckn))
        fail(state, ip, "card_rejected", Problem::WrongHolder,
             "this card belongs to another person");
    if (holders_.cardHolder(serial) != state.tckn)
        fail(state, ip, "card_rejected", Problem::UnknownCard,
             "this card is not enrolled for the holder");
    db_.execute("UPDATE sessions SET card_serial = ? WHERE id = ?", {serial, id});
    audit_.append({"card_checked", id, state.tckn, ip, {{"serial", serial}}});
}

backend::SmsSent Sessions::sendSms(const std::string& id, const std::string& ip) {
    std::lock_guard lock(db_.mutex());
    State state = load(id);
    if (state.confirmation != backend::Confirmation::Sms)
        throw ApiError(Problem::WrongConfirmationKind, "the holder confirms with the web password");
    if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
    if (state.smsSentAt != 0 && now() - state.smsSentAt < config_.smsResendInterval)
        throw ApiError(Problem::RateLimited, "an SMS was sent a moment ago", std::nullopt,
                       static_cast<int>(state.smsSentAt + config_.smsResendInterval - now()));
    limit(smsPerHolder_, state.tckn, ip, "sms");
    auto holder = holders_.find(state.tckn);
    if (!holder) throw ApiError(Problem::SessionUnknown, "the session's holder is no longer known");

    std::string code = randomDigits(6);
    db_.execute(
        "UPDATE sessions SET sms_code = ?, sms_expires_at = ?, sms_sent_at = ? WHERE id = ?",
        {code, now() + config_.smsLifetime, now(), id});
    sms_.send({holder->phone,
               "KamuSM PIN islemi dogrulama kodunuz: " + code +
                   ". Bu kodu kimseyle paylasmayin. / Your KamuSM PIN verification code.",
               code});
    audit_.append({"sms_sent", id, state.tckn, ip, nlohmann::json::object()});
    return backend::SmsSent{maskPhone(holder->phone), config_.smsLifetime,
                            config_.smsResendInterval};
}

void Sessions::confirm(const std::string& id, backend::Confirmation kind, const std::string& secret,
                       const std::string& ip) {
    std::lock_guard lock(db_.mutex());
    State state = load(id);
    if (state.confirmed) return;
    if (kind != state.confirmation)
        throw ApiError(Problem::WrongConfirmationKind,
                       state.confirmation == backend::Confirmation::Sms
                           ? "the holder confirms with an SMS code"
                           : "the holder confirms with the web password");
    if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
    limit(confirmsPerIp_, ip, ip, "confirm");
    limit(confirmsPerHolder_, state.tckn, ip, "confirm");

    bool right = false;
    if (kind == backend::Confirmation::Sms) {
        if (!state.smsCode) throw ApiError(Problem::SmsNotSent, "send the SMS code first");
        if (state.smsExpiresAt <= now())
            throw ApiError(Problem::SmsCodeExpired, "the SMS code has expired; send a new one");
        right = constantTimeEqual(secret, *state.smsCode);
    } else {
        right = holders_.checkPassword(state.tckn, secret);
    }
    if (!right) {
        int triesLeft = state.triesLeft - 1;
        db_.execute("UPDATE sessions SET tries_left = ? WHERE id = ?",
                    {static_cast<std::int64_t>(triesLeft), id});
        audit_.append({"confirm_failed",
                       id,
                       state.tckn,
                       ip,
                       {{"kind", backend::wireName(kind)}, {"tries_left", triesLeft}}});
        if (triesLeft == 0) audit_.append({"session_locked", id, state.tckn, ip, {}});
        bool sms = kind == backend::Confirmation::Sms;
        throw ApiError(sms ? Problem::WrongSmsCode : Problem::WrongPassword,
                       sms ? "wrong SMS code" : "wrong password", triesLeft);
    }
    db_.execute("UPDATE sessions SET confirmed = 1, sms_code = NULL WHERE id = ?", {id});
    audit_.append({"confirmed", id, state.tckn, ip, {{"kind", backend::wireName(kind)}}});
}

Bytes Sessions::authorize(const std::string& id, const std::string& serial, const Bytes& challenge,
                          const std::string& ip) {
    std::lock_guard lock(db_.mutex());
    State state = load(id);
    if (state.operation == backend::Operation::Change)
        throw ApiError(Problem::OperationNotAuthorized,
                       "a PIN change needs no authorization: the card checks the current PIN");
    if (!state.cardSerial) throw ApiError(Problem::CardNotChecked, "check the card first");
    if (*state.cardSerial != serial)
        fail(state, ip, "authorization_refused", Problem::CardMismatch,
             "this is not the card that was checked");
    if (!state.confirmed)
        fail(state, ip, "authorization_refused", Problem::NotConfirmed,
             "confirm with the SMS code or web password first");
    if (state.authorized)
        fail(state, ip, "authorization_refused", Problem::AuthorizationUsed,
             "this session's authorization was already issued; start a new session");
    Bytes cryptogram = unblockCryptogram(masterKey_, serial, challenge);
    db_.execute("UPDATE sessions SET authorized = 1 WHERE id = ?", {id});
    audit_.append({"cryptogram_issued",
                   id,
                   state.tckn,
                   ip,
                   {{"serial", serial}, {"operation", backend::wireName(state.operation)}}});
    return cryptogram;
}

void Sessions::reportOutcome(const std::string& id, backend::Outcome outcome,
                             const std::string& detail, const std::string& ip) {
    std::lock_guard lock(db_.mutex());
    // A client may report on an expired or locked session: the audit log wants the outcome.
    State state = load(id, true);
    if (state.outcomeReported)
        throw ApiError(Problem::OutcomeReported, "this session's outcome is already recorded");
    std::string result(backend::wireName(outcome));
    db_.execute("UPDATE sessions SET outcome = ? WHERE id = ?", {result, id});
    audit_.append({"outcome",
                   id,
                   state.tckn,
                   ip,
                   {{"result", result},
                    {"detail", detail},
                    {"operation", backend::wireName(state.operation)},
                    {"serial", state.cardSerial.value_or("")},
                    {"authorized", state.authorized}}});
}

} // namespace kamusm::server
