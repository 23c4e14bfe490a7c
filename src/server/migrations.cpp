#include "kamusm/server/migrations.hpp"

#include <array>
#include <ctime>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace kamusm::server {

namespace {

struct Statement {
    std::string_view sqlite;
    std::string_view postgres; // empty: the same text as for SQLite
};

struct Migration {
    int version;
    std::vector<Statement> statements;
};

// Version 1 is the schema from before versioning (IF NOT EXISTS: SQLite files of that time
// take it as they are). The audit log has no UPDATE or DELETE path; triggers refuse both.
const std::vector<Migration> migrations{
    {1,
     {{R"sql(CREATE TABLE IF NOT EXISTS settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL))sql",
       {}},
      {R"sql(CREATE TABLE IF NOT EXISTS holders (
            tckn TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            confirmation TEXT NOT NULL CHECK (confirmation IN ('sms', 'password')),
            birth_year BIGINT,
            password_salt TEXT,
            password_hash TEXT,
            password_iterations BIGINT))sql",
       {}},
      {R"sql(CREATE TABLE IF NOT EXISTS cards (
            serial TEXT PRIMARY KEY,
            tckn TEXT NOT NULL REFERENCES holders (tckn),
            enrolled_at BIGINT NOT NULL))sql",
       {}},
      {R"sql(CREATE TABLE IF NOT EXISTS verification_codes (
            code_hash TEXT PRIMARY KEY,
            tckn TEXT NOT NULL REFERENCES holders (tckn),
            operation TEXT NOT NULL,
            confirmation TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT))sql",
       {}},
      {R"sql(CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            tckn TEXT NOT NULL REFERENCES holders (tckn),
            operation TEXT NOT NULL,
            confirmation TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            card_serial TEXT,
            sms_code TEXT,
            sms_expires_at BIGINT,
            sms_sent_at BIGINT,
            tries_left BIGINT NOT NULL,
            confirmed BIGINT NOT NULL DEFAULT 0,
            authorized BIGINT NOT NULL DEFAULT 0,
            outcome TEXT))sql",
       {}},
      {R"sql(CREATE TABLE IF NOT EXISTS sms_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sent_at BIGINT NOT NULL,
            recipient TEXT NOT NULL,
            text TEXT NOT NULL,
            code TEXT NOT NULL))sql",
       R"sql(CREATE TABLE IF NOT EXISTS sms_outbox (
            id BIGSERIAL PRIMARY KEY,
            sent_at BIGINT NOT NULL,
            recipient TEXT NOT NULL,
            text TEXT NOT NULL,
            code TEXT NOT NULL))sql"},
      {R"sql(CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at BIGINT NOT NULL,
            event TEXT NOT NULL,
            session TEXT,
            tckn TEXT,
            ip TEXT,
            detail TEXT NOT NULL))sql",
       R"sql(CREATE TABLE IF NOT EXISTS audit_log (
            id BIGSERIAL PRIMARY KEY,
            at BIGINT NOT NULL,
            event TEXT NOT NULL,
            session TEXT,
            tckn TEXT,
            ip TEXT,
            detail TEXT NOT NULL))sql"},
      {R"sql(CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END)sql",
       R"sql(CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$)sql"},
      {R"sql(CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END)sql",
       R"sql(CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only())sql"}}},
    // Issue 11: the challenge a cryptogram was issued for (a lost answer can be fetched again),
    // SMS delivered from the outbox after the commit, rate limits kept in the database.
    {2,
     {{"ALTER TABLE sessions ADD COLUMN challenge TEXT", {}},
      {"ALTER TABLE sms_outbox ADD COLUMN delivered_at BIGINT", {}},
      {"UPDATE sms_outbox SET delivered_at = sent_at", {}},
      {"CREATE INDEX sms_outbox_pending ON sms_outbox (delivered_at)", {}},
      {"CREATE INDEX audit_log_session ON audit_log (session)", {}},
      {"CREATE TABLE rate_hits (limit_key TEXT NOT NULL, at BIGINT NOT NULL)", {}},
      {"CREATE INDEX rate_hits_key ON rate_hits (limit_key, at)", {}},
      {"CREATE TABLE rate_refusals (limit_key TEXT PRIMARY KEY, at BIGINT NOT NULL)", {}}}},
};

int currentVersion(Tx& tx) {
    tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
               "applied_at BIGINT NOT NULL)");
    auto row = tx.queryOne("SELECT max(version) FROM schema_migrations");
    return row && !row->isNull(0) ? static_cast<int>(row->integer(0)) : 0;
}

} // namespace

int schemaVersion() {
    return migrations.back().version;
}

void migrate(Tx& tx) {
    // Instances starting together on one PostgreSQL database migrate one after the other.
    tx.lock("schema");
    int version = currentVersion(tx);
    if (version > schemaVersion())
        throw std::runtime_error("the database schema is version " + std::to_string(version) +
                                 ", newer than this server's " + std::to_string(schemaVersion()));
    for (const Migration& migration : migrations) {
        if (migration.version <= version) continue;
        for (const Statement& statement : migration.statements) {
            bool own = tx.engine() == Engine::Postgres && !statement.postgres.empty();
            tx.execute(own ? statement.postgres : statement.sqlite);
        }
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                   {static_cast<std::int64_t>(migration.version),
                    static_cast<std::int64_t>(std::time(nullptr))});
    }
}

} // namespace kamusm::server
