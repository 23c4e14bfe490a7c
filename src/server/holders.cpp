#include "kamusm/server/holders.hpp"

#include "kamusm/server/crypto.hpp"

#include <ctime>

namespace kamusm::server {

namespace {
constexpr unsigned passwordIterations = 100000;
} // namespace

PasswordHash hashPassword(const std::string& password) {
    Bytes salt = randomBytes(16);
    return {toHex(salt), toHex(pbkdf2(password, salt, passwordIterations)), passwordIterations};
}

bool passwordMatches(const PasswordHash& stored, const std::string& password) {
    Bytes hash = pbkdf2(password, fromHex(stored.salt), static_cast<unsigned>(stored.iterations));
    return constantTimeEqual(hash, fromHex(stored.hash));
}

std::optional<HolderRecord> findHolder(Tx& tx, const std::string& tckn) {
    auto row = tx.queryOne(
        "SELECT tckn, name, phone, confirmation, birth_year FROM holders WHERE tckn = ?", {tckn});
    if (!row) return std::nullopt;
    return HolderRecord{
        row->text(0), row->text(1), row->text(2), backend::confirmationFromString(row->text(3)),
        row->isNull(4) ? std::nullopt : std::optional<int>(static_cast<int>(row->integer(4)))};
}

void putHolder(Tx& tx, const HolderRecord& holder, const PasswordHash& password) {
    const Value birthYear =
        holder.birthYear ? Value(static_cast<std::int64_t>(*holder.birthYear)) : Value(nullptr);
    tx.execute("INSERT INTO holders (tckn, name, phone, confirmation, birth_year, password_salt, "
               "password_hash, password_iterations) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (tckn) DO UPDATE SET name = excluded.name, phone = excluded.phone, "
               "confirmation = excluded.confirmation, birth_year = excluded.birth_year, "
               "password_salt = excluded.password_salt, "
               "password_hash = excluded.password_hash, "
               "password_iterations = excluded.password_iterations",
               {holder.tckn, holder.name, holder.phone,
                std::string(backend::wireName(holder.confirmation)), birthYear, password.salt,
                password.hash, password.iterations});
}

std::optional<PasswordHash> holderPassword(Tx& tx, const std::string& tckn) {
    auto row = tx.queryOne("SELECT password_salt, password_hash, password_iterations FROM holders "
                           "WHERE tckn = ? AND password_hash IS NOT NULL",
                           {tckn});
    if (!row) return std::nullopt;
    return PasswordHash{row->text(0), row->text(1), row->integer(2)};
}

void enrolCard(Tx& tx, const std::string& serial, const std::string& tckn) {
    tx.execute("INSERT INTO cards (serial, tckn, enrolled_at) VALUES (?, ?, ?) "
               "ON CONFLICT (serial) DO UPDATE SET tckn = excluded.tckn, "
               "enrolled_at = excluded.enrolled_at",
               {serial, tckn, static_cast<std::int64_t>(std::time(nullptr))});
}

std::optional<std::string> cardHolder(Tx& tx, const std::string& serial) {
    auto row = tx.queryOne("SELECT tckn FROM cards WHERE serial = ?", {serial});
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
