#include "kamusm/server/holders.hpp"

#include "kamusm/server/crypto.hpp"

#include <ctime>

namespace kamusm::server {

namespace {

constexpr unsigned passwordIterations = 100000;

std::string asText(const Bytes& bytes) {
    return toHex(bytes);
}

} // namespace

std::optional<HolderRecord> Holders::find(const std::string& tckn) {
    auto row = db_.queryOne(
        "SELECT tckn, name, phone, confirmation, birth_year FROM holders WHERE tckn = ?", {tckn});
    if (!row) return std::nullopt;
    return HolderRecord{
        row->text(0), row->text(1), row->text(2), backend::confirmationFromString(row->text(3)),
        row->isNull(4) ? std::nullopt : std::optional<int>(static_cast<int>(row->integer(4)))};
}

void Holders::put(const HolderRecord& holder, const std::string& password) {
    Bytes salt = randomBytes(16);
    Bytes hash = pbkdf2(password, salt, passwordIterations);
    // An upsert, not REPLACE: replacing would delete the row the holder's cards refer to.
    const Value birthYear =
        holder.birthYear ? Value(static_cast<std::int64_t>(*holder.birthYear)) : Value(nullptr);
    db_.execute("INSERT INTO holders (tckn, name, phone, confirmation, birth_year, password_salt, "
                "password_hash, password_iterations) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tckn) DO UPDATE SET name = excluded.name, phone = excluded.phone, "
                "confirmation = excluded.confirmation, birth_year = excluded.birth_year, "
                "password_salt = excluded.password_salt, "
                "password_hash = excluded.password_hash, "
                "password_iterations = excluded.password_iterations",
                {holder.tckn, holder.name, holder.phone,
                 std::string(backend::wireName(holder.confirmation)), birthYear, asText(salt),
                 asText(hash), static_cast<std::int64_t>(passwordIterations)});
}

bool Holders::checkPassword(const std::string& tckn, const std::string& password) {
    auto row = db_.queryOne("SELECT password_salt, password_hash, password_iterations FROM holders "
                            "WHERE tckn = ? AND password_hash IS NOT NULL",
                            {tckn});
    if (!row) return false;
    Bytes hash = pbkdf2(password, fromHex(row->text(0)), static_cast<unsigned>(row->integer(2)));
    return constantTimeEqual(hash, fromHex(row->text(1)));
}

void Holders::enrolCard(const std::string& serial, const std::string& tckn) {
    db_.execute("INSERT OR REPLACE INTO cards (serial, tckn, enrolled_at) VALUES (?, ?, ?)",
                {serial, tckn, static_cast<std::int64_t>(std::time(nullptr))});
}

std::optional<std::string> Holders::cardHolder(const std::string& serial) {
    auto row = db_.queryOne("SELECT tckn FROM cards WHERE serial = ?", {serial});
    if (!row) return std::nullopt;
    return row->text(0);
}

std::string maskTckn(const std::string& tckn) {
    if (tckn.size() < 5) return std::string(tckn.size(), '*');
    return tckn.substr(0, 3) + std::string(tckn.size() - 5, '*') + tckn.substr(tckn.size() - 2);
}

std::string maskPhone(const std::string& phone) {
    if (phone.size() < 2) return "*******";
    return "*******" + phone.substr(phone.size() - 2);
}

} // namespace kamusm::server
