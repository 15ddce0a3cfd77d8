#pragma once
// The embedded store: one SQLite file in WAL mode, a small pool of connections.
#include <filesystem>
#include <memory>
#include <vector>

#include "base/result.h"
#include "service/store.h"

namespace khien::store {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

// The newest schema version this binary knows.
int latest_schema_version();

// Opens (creating) `db_path` and applies pending migrations, each in its own transaction.
// Refuses a database whose schema is newer than this binary.
Result<MigrationReport> migrate_sqlite(const std::filesystem::path& db_path);

// Opens an already migrated database with `pool_size` connections.
Result<std::unique_ptr<service::Store>> open_sqlite_store(const std::filesystem::path& db_path, int pool_size);

// Copies a live database into `destination` with SQLite's online backup (consistent while
// others write). `destination` must not exist.
Status backup_sqlite(const std::filesystem::path& source, const std::filesystem::path& destination);

// Replaces the database at `db_path` with the backup at `source` after checking the backup's
// integrity. The server must be stopped.
Status restore_sqlite(const std::filesystem::path& source, const std::filesystem::path& db_path);

}  // namespace khien::store
