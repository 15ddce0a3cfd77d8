#pragma once
// A thin RAII layer over the SQLite C API. Errors throw SqliteError (caught by the store's
// transaction runner and turned into an Error).
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/time.h"

namespace khien::store::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  // Advances to the next row; false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const;
  std::optional<std::int64_t> opt_integer(int col) const;
  std::optional<std::string> opt_text(int col) const;

  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating if asked) the database file with WAL, foreign keys and a busy timeout.
  Connection(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);
  // A prepared statement cached on this connection, reset and ready to bind.
  Statement& prepare(std::string_view sql);
  // Resets every cached statement. A statement left on a row keeps its read snapshot open,
  // which would make the next write transaction on this connection fail once another
  // connection or process has written; call this before ending each transaction.
  void reset_statements();
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Cached {
    sqlite3_stmt* raw;
    std::unique_ptr<Statement> stmt;
  };
  std::unordered_map<std::string, Cached> cache_;
};

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context);

// Times are stored as milliseconds since the Unix epoch; NULL for an unset time.
inline std::optional<Timestamp> opt_time(const Statement& s, int col) {
  if (auto v = s.opt_integer(col)) return from_unix_ms(*v);
  return std::nullopt;
}
inline std::optional<std::int64_t> opt_ms(const std::optional<Timestamp>& t) {
  if (t) return to_unix_ms(*t);
  return std::nullopt;
}

}  // namespace khien::store::sqlite
