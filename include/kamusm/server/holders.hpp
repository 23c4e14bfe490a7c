// Card holders and their enrolled cards.
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

class Holders {
public:
    explicit Holders(Database& db) : db_(db) {}

    std::optional<HolderRecord> find(const std::string& tckn);
    // Creates or replaces the holder; the web password is stored as a salted PBKDF2 hash.
    void put(const HolderRecord& holder, const std::string& password);
    // Constant-time check of the web password (false when the holder has none).
    bool checkPassword(const std::string& tckn, const std::string& password);

    void enrolCard(const std::string& serial, const std::string& tckn);
    // The TCKN the card serial is enrolled for.
    std::optional<std::string> cardHolder(const std::string& serial);

private:
    Database& db_;
};

// "100******46" and "*******12".
std::string maskTckn(const std::string& tckn);
std::string maskPhone(const std::string& phone);

} // namespace kamusm::server
