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
    std::lock_guard lock(db.mutex());
    auto certificate = db.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_certificate'");
    auto key = db.queryOne("SELECT value FROM settings WHERE name = 'demo_ca_key'");
    if (certificate && key)
        return CertificateAuthority(backend::fromBase64(certificate->text(0)),
                                    backend::fromBase64(key->text(0)));
    CertificateAuthority ca =
        CertificateAuthority::generate("CN=KamuSM PIN Demo CA,O=KamuSM PIN Demo,C=TR");
    Transaction transaction(db);
    db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('demo_ca_certificate', ?)",
               {backend::toBase64(ca.certificate())});
    db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('demo_ca_key', ?)",
               {backend::toBase64(ca.privateKey())});
    transaction.commit();
    return ca;
}

Demo::Demo(Sessions& sessions, OutboxGateway& outbox, CertificateAuthority ca, int codeLifetime)
    : sessions_(sessions), outbox_(outbox), ca_(std::move(ca)), codeLifetime_(codeLifetime) {}

void Demo::seed() {
    if (sessions_.holders().find(demoTckn)) return;
    sessions_.holders().put(
        {demoTckn, "DEMO KULLANICI", "+905550000012", backend::Confirmation::Sms, demoBirthYear},
        demoPassword);
}

std::string Demo::issueCode(const std::string& tckn, backend::Operation operation,
                            std::optional<backend::Confirmation> confirmation) {
    auto holder = sessions_.holders().find(tckn);
    if (!holder) throw ApiError(Problem::NotFound, "no such holder");
    return sessions_.issueCode(tckn, operation, confirmation.value_or(holder->confirmation));
}

IssuedKey Demo::enrolCard(const std::string& tckn, const std::string& serial) {
    auto holder = sessions_.holders().find(tckn);
    if (!holder) throw ApiError(Problem::NotFound, "no such holder");
    auto owner = sessions_.holders().cardHolder(serial);
    if (owner && *owner != tckn)
        throw ApiError(Problem::InvalidRequest, "this card serial is enrolled for another holder");
    std::time_t now = std::time(nullptr);
    IssuedKey issued = ca_.issue(tckn, holder->name, now - 3600, now + 2 * 365 * 24 * 3600);
    sessions_.holders().enrolCard(serial, tckn);
    sessions_.audit().append({"card_enrolled", {}, tckn, {}, {{"serial", serial}}});
    return issued;
}

} // namespace kamusm::server
