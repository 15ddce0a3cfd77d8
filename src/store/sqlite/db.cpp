#include "store/sqlite/db.h"

#include <fmt/format.h>

namespace khien::store::sqlite {

void throw_error(sqlite3* db, int rc, std::string_view context) {
  throw SqliteError(rc, fmt::format("{}: {}", context, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
  // An empty view may have no data pointer, which SQLite would bind as NULL rather than ''.
  const char* data = v.data() ? v.data() : "";
  if (int rc = sqlite3_bind_text64(stmt_, i, data, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8); rc != SQLITE_OK)
    throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, rc, sqlite3_sql(stmt_));
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

std::optional<std::int64_t> Statement::opt_integer(int col) const {
  if (is_null(col)) return std::nullopt;
  return integer(col);
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Connection::Connection(const std::string& path, bool create) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr); rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, fmt::format("cannot open {}: {}", path, msg));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA foreign_keys = ON");
  exec("PRAGMA synchronous = NORMAL");
}

Connection::~Connection() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.raw);
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, msg);
  }
}

void Connection::reset_statements() {
  for (auto& [sql, c] : cache_) sqlite3_reset(c.raw);
}

Statement& Connection::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    if (int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                    nullptr);
        rc != SQLITE_OK)
      throw_error(db_, rc, sql);
    it = cache_.emplace(std::string(sql), Cached{raw, std::make_unique<Statement>(db_, raw)}).first;
  }
  it->second.stmt->reset();
  return *it->second.stmt;
}

}  // namespace khien::store::sqlite
