// Card holders and their enrolled cards, read and written inside a transaction.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/server/database.hpp"

#include <optional>
#include <string>

namespace kamusm::server {

struct HolderRecord {
    std::string tckn;
    std::string name;
    std::string phone;
    backend::Confirmation confirmation = backend::Confirmation::Sms;
    std::optional<int> birthYear; // refused as part of a new PIN when known
};

// A web password as stored: salted PBKDF2-HMAC-SHA256 (hex).
struct PasswordHash {
    std::string salt;
    std::string hash;
    std::int64_t iterations = 0;
};

// Slow on purpose (PBKDF2): callers run these outside any transaction.
PasswordHash hashPassword(const std::string& password);
// Constant-time.
bool passwordMatches(const PasswordHash& stored, const std::string& password);

std::optional<HolderRecord> findHolder(Tx& tx, const std::string& tckn);
// Creates or replaces the holder (an upsert: the holder's cards stay enrolled).
void putHolder(Tx& tx, const HolderRecord& holder, const PasswordHash& password);
std::optional<PasswordHash> holderPassword(Tx& tx, const std::string& tckn);

void enrolCard(Tx& tx, const std::string& serial, const std::string& tckn);
// The TCKN the card serial is enrolled for.
std::optional<std::string> cardHolder(Tx& tx, const std::string& serial);

// "100******46" and "*******12".
std::string maskTckn(const std::string& tckn);
std::string maskPhone(const std::string& phone);

} // namespace kamusm::server
