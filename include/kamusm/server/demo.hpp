// Demo mode (interfaces.md): the seeded holder, verification codes on request, the SMS outbox,
// and cards enrolled with certificates from a demo CA generated at first start.
#pragma once

#include "kamusm/server/pki.hpp"
#include "kamusm/server/sessions.hpp"

namespace kamusm::server {

inline constexpr const char* demoTckn = "10000000146";
inline constexpr const char* demoPassword = "demo-parola";
inline constexpr int demoBirthYear = 1980;
// card-profile.md's demo master key; a production start refuses it.
Bytes demoMasterKey();

// The demo CA kept in the database (created on first use).
CertificateAuthority loadDemoCa(Database& db);

class Demo {
public:
    Demo(Sessions& sessions, SmsOutbox& outbox, CertificateAuthority ca);

    // Adds the seeded holder when missing.
    void seed();
    // A fresh verification code for the holder; `confirmation` overrides the holder's choice.
    std::string issueCode(const std::string& tckn, backend::Operation operation,
                          std::optional<backend::Confirmation> confirmation);
    std::vector<SmsMessage> outbox() { return outbox_.messages(); }
    IssuedKey enrolCard(const std::string& tckn, const std::string& serial);
    const CertificateAuthority& ca() const { return ca_; }
    int codeLifetime() const { return sessions_.config().codeLifetime; }

private:
    Sessions& sessions_;
    SmsOutbox& outbox_;
    CertificateAuthority ca_;
};

} // namespace kamusm::server
