// The schema's versions, shared by SQLite and PostgreSQL: each migration is a list of statements
// in the SQL both engines speak, with an engine's own spelling only where they differ
// (auto-increment keys, triggers). `schema_migrations` records what a database has.
#pragma once

#include "kamusm/server/database.hpp"

namespace kamusm::server {

// The newest schema version this server knows.
int schemaVersion();

// Brings the database to schemaVersion(); throws when it is newer than that.
void migrate(Tx& tx);

} // namespace kamusm::server
