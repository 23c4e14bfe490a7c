#include "kamusm/server/demo.hpp"

#include "kamusm/backend/base64.hpp"
#include "kamusm/server/api_error.hpp"

#include <ctime>

namespace kamusm::server {

using backend::Problem;

Bytes demoMasterKey() {
    return fromHex("000102030405060708090A0B0C0D0E0F");
}

CertificateAuthority loadDemoCa(Database& db) {
    auto stored = db.transact([](Tx& tx) -> std::optional<CertificateAuthority> {
        auto certificate =
            tx.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_certificate'");
        auto key = tx.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_key'");
        if (!certificate || !key) return std::nullopt;
        return CertificateAuthority(backend::fromBase64(certificate->text(0)),
                                    backend::fromBase64(key->text(0)));
    });
    if (stored) return std::move(*stored);
    CertificateAuthority ca =
        CertificateAuthority::generate("CN=KamuSM PIN Demo CA,O=KamuSM PIN Demo,C=TR");
    // Two demo instances starting together on one database keep the CA of the first.
    return db.transact([&](Tx& tx) {
        for (auto [name, value] : {std::pair{"demo_ca_certificate", ca.certificate()},
                                   std::pair{"demo_ca_key", ca.privateKey()}})
            tx.execute("INSERT INTO settings (name, value) VALUES (?, ?) "
                       "ON CONFLICT (name) DO NOTHING",
                       {std::string(name), backend::toBase64(value)});
        auto certificate =
            tx.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_certificate'");
        auto key = tx.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_key'");
        return CertificateAuthority(backend::fromBase64(certificate->text(0)),
                                    backend::fromBase64(key->text(0)));
    });
}

Demo::Demo(Sessions& sessions, SmsOutbox& outbox, CertificateAuthority ca)
    : sessions_(sessions), outbox_(outbox), ca_(std::move(ca)) {}

void Demo::seed() {
    bool seeded =
        sessions_.database().transact([](Tx& tx) { return findHolder(tx, demoTckn).has_value(); });
    if (seeded) return;
    PasswordHash password = hashPassword(demoPassword);
    sessions_.database().transact([&](Tx& tx) {
        putHolder(tx,
                  {demoTckn, "DEMO KULLANICI", "+905550000012", backend::Confirmation::Sms,
                   demoBirthYear},
                  password);
    });
}

std::string Demo::issueCode(const std::string& tckn, backend::Operation operation,
                            std::optional<backend::Confirmation> confirmation) {
    return sessions_.database().transact([&](Tx& tx) {
        auto holder = findHolder(tx, tckn);
        if (!holder) throw ApiError(Problem::NotFound, "no such holder");
        return sessions_.issueCode(tx, tckn, operation,
                                   confirmation.value_or(holder->confirmation));
    });
}

IssuedKey Demo::enrolCard(const std::string& tckn, const std::string& serial) {
    auto holder = sessions_.database().transact([&](Tx& tx) {
        auto found = findHolder(tx, tckn);
        if (!found) throw ApiError(Problem::NotFound, "no such holder");
        auto owner = cardHolder(tx, serial);
        if (owner && *owner != tckn)
            throw ApiError(Problem::InvalidRequest,
                           "this card serial is enrolled for another holder");
        return *found;
    });
    // The RSA key takes a while: made outside the transaction.
    std::time_t now = std::time(nullptr);
    IssuedKey issued = ca_.issue(tckn, holder.name, now - 3600, now + 2 * 365 * 24 * 3600);
    sessions_.database().transact([&](Tx& tx) {
        auto owner = cardHolder(tx, serial);
        if (owner && *owner != tckn)
            throw ApiError(Problem::InvalidRequest,
                           "this card serial is enrolled for another holder");
        server::enrolCard(tx, serial, tckn);
        appendAudit(tx, {AuditEvent::CardEnrolled, {}, tckn, {}, {{"serial", serial}}});
    });
    return issued;
}

} // namespace kamusm::server
