#include "store/sqlite/sqlite_store.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <condition_variable>
#include <mutex>

#include "store/sqlite/db.h"
#include "store/sqlite/incident_tables.h"

namespace khien::embedded {
std::string_view migration_0001();
std::string_view migration_0002();
std::string_view migration_0003();
}

namespace khien::store {

using service::ApiToken;
using service::AuditRecord;
using service::Organization;
using service::Session;
using service::User;
using sqlite::Connection;
using sqlite::SqliteError;
using sqlite::Statement;
using sqlite::opt_ms;
using sqlite::opt_time;

namespace {

struct Migration {
  int version;
  std::string_view (*sql)();
};
constexpr Migration kMigrations[] = {{1, &embedded::migration_0001}, {2, &embedded::migration_0002},
                                    {3, &embedded::migration_0003}};


constexpr std::string_view kOrgColumns = "id, slug, name, kind, parent_id, require_totp, created_at, regulatory_profile";
Organization read_org(const Statement& s) {
  Organization o;
  o.id = OrgId(s.integer(0));
  o.slug = s.text(1);
  o.name = s.text(2);
  o.kind = domain::parse_org_kind(s.text(3)).value_or(domain::OrgKind::kUnit);
  if (auto p = s.opt_integer(4)) o.parent = OrgId(*p);
  o.require_totp = s.integer(5) != 0;
  o.created_at = from_unix_ms(s.integer(6));
  o.regulatory_profile = s.opt_text(7);
  return o;
}

constexpr std::string_view kUserColumns =
    "id, username, display_name, email, role, organization_id, disabled, password_hash, password_change_required, "
    "totp_secret, totp_pending, totp_last_step, locale, created_at, last_login_at";
User read_user(const Statement& s) {
  User u;
  u.id = UserId(s.integer(0));
  u.username = s.text(1);
  u.display_name = s.text(2);
  u.email = s.text(3);
  u.role = domain::parse_role(s.text(4)).value_or(domain::Role::kViewer);
  u.organization = OrgId(s.integer(5));
  u.disabled = s.integer(6) != 0;
  u.password_hash = s.text(7);
  u.password_change_required = s.integer(8) != 0;
  u.totp_secret = s.opt_text(9);
  u.totp_pending = s.opt_text(10);
  u.totp_last_step = s.opt_integer(11);
  u.locale = s.text(12);
  u.created_at = from_unix_ms(s.integer(13));
  u.last_login_at = opt_time(s, 14);
  return u;
}

constexpr std::string_view kTokenColumns =
    "id, user_id, name, scope, prefix, secret_hash, created_at, expires_at, last_used_at, revoked_at";
ApiToken read_token(const Statement& s) {
  ApiToken t;
  t.id = TokenId(s.integer(0));
  t.user = UserId(s.integer(1));
  t.name = s.text(2);
  t.scope = s.text(3);
  t.prefix = s.text(4);
  t.secret_hash = s.text(5);
  t.created_at = from_unix_ms(s.integer(6));
  t.expires_at = opt_time(s, 7);
  t.last_used_at = opt_time(s, 8);
  t.revoked_at = opt_time(s, 9);
  return t;
}

constexpr std::string_view kAuditColumns =
    "id, at, actor_id, actor, organization_id, action, target_type, target_id, changes, address, user_agent, "
    "outcome, prev_hash, hash";
AuditRecord read_audit(const Statement& s) {
  AuditRecord r;
  r.id = AuditId(s.integer(0));
  auto& c = r.content;
  c.at = s.text(1);
  c.actor_id = s.opt_integer(2);
  c.actor = s.text(3);
  c.organization_id = s.opt_integer(4);
  c.action = s.text(5);
  c.target_type = s.text(6);
  c.target_id = s.text(7);
  // A hand-edited row may hold anything; it then fails verification instead of crashing here.
  boost::system::error_code ec;
  auto changes = boost::json::parse(s.text(8), ec);
  if (!ec && changes.is_object()) c.changes = changes.as_object();
  else c.changes = {{"unparseable", s.text(8)}};
  c.address = s.text(9);
  c.user_agent = s.text(10);
  c.outcome = s.text(11);
  c.prev_hash = s.text(12);
  r.hash = s.text(13);
  return r;
}

std::string in_list(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out + ")";
}

class SqliteTx final : public service::Tx, public SqliteIncidentTables {
 public:
  explicit SqliteTx(Connection& c) : SqliteIncidentTables(c), c_(c) {}

  std::vector<Organization> list_organizations() override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM organizations ORDER BY id", kOrgColumns));
    std::vector<Organization> out;
    while (s.step()) out.push_back(read_org(s));
    return out;
  }
  std::optional<Organization> find_organization(OrgId id) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM organizations WHERE id = ?", kOrgColumns));
    s.bind(1, id.value());
    if (s.step()) return read_org(s);
    return std::nullopt;
  }
  std::optional<Organization> find_organization_by_slug(std::string_view slug) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM organizations WHERE slug = ?", kOrgColumns));
    s.bind(1, slug);
    if (s.step()) return read_org(s);
    return std::nullopt;
  }
  OrgId insert_organization(const Organization& o) override {
    auto& s = c_.prepare(
        "INSERT INTO organizations (slug, name, kind, parent_id, require_totp, created_at, regulatory_profile) "
        "VALUES (?,?,?,?,?,?,?)");
    s.bind(1, o.slug).bind(2, o.name).bind(3, domain::org_kind_name(o.kind)).bind(5, o.require_totp);
    s.bind(6, to_unix_ms(o.created_at)).bind(7, o.regulatory_profile);
    if (o.parent) s.bind(4, o.parent->value());
    s.run();
    return OrgId(c_.last_insert_id());
  }
  void update_organization(const Organization& o) override {
    auto& s = c_.prepare("UPDATE organizations SET name = ?, require_totp = ?, regulatory_profile = ? WHERE id = ?");
    s.bind(1, o.name).bind(2, o.require_totp).bind(3, o.regulatory_profile).bind(4, o.id.value()).run();
  }

  std::optional<User> find_user(UserId id) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
    s.bind(1, id.value());
    if (s.step()) return read_user(s);
    return std::nullopt;
  }
  std::optional<User> find_user_by_username(std::string_view username) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM users WHERE username = ?", kUserColumns));
    s.bind(1, username);
    if (s.step()) return read_user(s);
    return std::nullopt;
  }
  std::vector<User> list_users(const service::UserFilter& f) override {
    // Built per filter shape; the statement cache keeps one prepared statement per shape.
    std::string sql = fmt::format("SELECT {} FROM users WHERE organization_id IN {}", kUserColumns,
                                  in_list(f.organizations.size()));
    if (f.text) sql += " AND (instr(lower(username), lower(?)) > 0 OR instr(lower(display_name), lower(?)) > 0)";
    if (!f.include_disabled) sql += " AND disabled = 0";
    if (f.after_id) sql += " AND id > ?";
    sql += " ORDER BY id LIMIT ?";
    auto& s = c_.prepare(sql);
    int i = 1;
    for (auto org : f.organizations) s.bind(i++, org.value());
    if (f.text) {
      s.bind(i++, *f.text);
      s.bind(i++, *f.text);
    }
    if (f.after_id) s.bind(i++, *f.after_id);
    s.bind(i, f.limit);
    std::vector<User> out;
    while (s.step()) out.push_back(read_user(s));
    return out;
  }
  std::int64_t count_users(const std::vector<OrgId>& orgs) override {
    auto& s = c_.prepare(fmt::format("SELECT count(*) FROM users WHERE organization_id IN {}", in_list(orgs.size())));
    int i = 1;
    for (auto org : orgs) s.bind(i++, org.value());
    s.step();
    return s.integer(0);
  }
  UserId insert_user(const User& u) override {
    auto& s = c_.prepare(
        "INSERT INTO users (username, display_name, email, role, organization_id, disabled, password_hash, "
        "password_change_required, totp_secret, totp_pending, totp_last_step, locale, created_at, last_login_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    bind_user(s, u);
    s.run();
    return UserId(c_.last_insert_id());
  }
  void update_user(const User& u) override {
    auto& s = c_.prepare(
        "UPDATE users SET username = ?, display_name = ?, email = ?, role = ?, organization_id = ?, disabled = ?, "
        "password_hash = ?, password_change_required = ?, totp_secret = ?, totp_pending = ?, totp_last_step = ?, "
        "locale = ?, created_at = ?, last_login_at = ? WHERE id = ?");
    bind_user(s, u);
    s.bind(15, u.id.value());
    s.run();
  }

  void insert_session(const Session& x) override {
    auto& s = c_.prepare(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent) "
        "VALUES (?,?,?,?,?,?,?)");
    s.bind(1, x.id_hash).bind(2, x.user.value()).bind(3, x.csrf_token).bind(4, to_unix_ms(x.created_at));
    s.bind(5, to_unix_ms(x.last_seen_at)).bind(6, x.address).bind(7, x.user_agent).run();
  }
  std::optional<Session> find_session(std::string_view id_hash) override {
    auto& s = c_.prepare(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent FROM sessions "
        "WHERE id_hash = ?");
    s.bind(1, id_hash);
    if (!s.step()) return std::nullopt;
    return Session{s.text(0), UserId(s.integer(1)), s.text(2), from_unix_ms(s.integer(3)),
                   from_unix_ms(s.integer(4)), s.text(5), s.text(6)};
  }
  void touch_session(std::string_view id_hash, Timestamp at) override {
    c_.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").bind(1, to_unix_ms(at)).bind(2, id_hash).run();
  }
  void delete_session(std::string_view id_hash) override {
    c_.prepare("DELETE FROM sessions WHERE id_hash = ?").bind(1, id_hash).run();
  }
  void delete_sessions_of(UserId user, std::string_view keep) override {
    c_.prepare("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?").bind(1, user.value()).bind(2, keep).run();
  }
  void delete_sessions_before(Timestamp created_before, Timestamp seen_before) override {
    c_.prepare("DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?")
        .bind(1, to_unix_ms(created_before))
        .bind(2, to_unix_ms(seen_before))
        .run();
  }

  TokenId insert_token(const ApiToken& t) override {
    auto& s = c_.prepare(
        "INSERT INTO api_tokens (user_id, name, scope, prefix, secret_hash, created_at, expires_at, last_used_at, "
        "revoked_at) VALUES (?,?,?,?,?,?,?,?,?)");
    s.bind(1, t.user.value()).bind(2, t.name).bind(3, t.scope).bind(4, t.prefix).bind(5, t.secret_hash);
    s.bind(6, to_unix_ms(t.created_at)).bind(7, opt_ms(t.expires_at)).bind(8, opt_ms(t.last_used_at));
    s.bind(9, opt_ms(t.revoked_at)).run();
    return TokenId(c_.last_insert_id());
  }
  std::optional<ApiToken> find_token(TokenId id) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM api_tokens WHERE id = ?", kTokenColumns));
    s.bind(1, id.value());
    if (s.step()) return read_token(s);
    return std::nullopt;
  }
  std::optional<ApiToken> find_token_by_hash(std::string_view secret_hash) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM api_tokens WHERE secret_hash = ?", kTokenColumns));
    s.bind(1, secret_hash);
    if (s.step()) return read_token(s);
    return std::nullopt;
  }
  std::vector<ApiToken> list_tokens(UserId user, std::optional<std::int64_t> after_id, int limit) override {
    auto& s = c_.prepare(
        fmt::format("SELECT {} FROM api_tokens WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", kTokenColumns));
    s.bind(1, user.value()).bind(2, after_id.value_or(0)).bind(3, limit);
    std::vector<ApiToken> out;
    while (s.step()) out.push_back(read_token(s));
    return out;
  }
  void update_token(const ApiToken& t) override {
    auto& s = c_.prepare("UPDATE api_tokens SET name = ?, last_used_at = ?, revoked_at = ? WHERE id = ?");
    s.bind(1, t.name).bind(2, opt_ms(t.last_used_at)).bind(3, opt_ms(t.revoked_at)).bind(4, t.id.value()).run();
  }

  std::optional<domain::ChainHead> audit_head() override {
    auto& s = c_.prepare("SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (!s.step()) return std::nullopt;
    return domain::ChainHead{s.integer(0), s.text(1)};
  }
  AuditId append_audit(const domain::AuditContent& c, std::string_view hash) override {
    auto& s = c_.prepare(fmt::format("INSERT INTO audit_log ({}) VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                     kAuditColumns));
    s.bind(1, c.at).bind(2, c.actor_id).bind(3, c.actor).bind(4, c.organization_id).bind(5, c.action);
    s.bind(6, c.target_type).bind(7, c.target_id).bind(8, boost::json::serialize(c.changes)).bind(9, c.address);
    s.bind(10, c.user_agent).bind(11, c.outcome).bind(12, c.prev_hash).bind(13, hash).run();
    const AuditId id(c_.last_insert_id());
    c_.prepare(
          "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?) "
          "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash")
        .bind(1, id.value())
        .bind(2, hash)
        .run();
    return id;
  }
  std::vector<AuditRecord> list_audit(const service::AuditFilter& f) override {
    std::string sql =
        fmt::format("SELECT {} FROM audit_log WHERE organization_id IN {}", kAuditColumns, in_list(f.organizations.size()));
    if (f.action) sql += " AND action = ?";
    if (f.actor) sql += " AND actor = ?";
    if (f.target_type) sql += " AND target_type = ?";
    if (f.target_id) sql += " AND target_id = ?";
    if (f.from) sql += " AND at >= ?";
    if (f.to) sql += " AND at <= ?";
    if (f.before_id) sql += " AND id < ?";
    sql += " ORDER BY id DESC LIMIT ?";
    auto& s = c_.prepare(sql);
    int i = 1;
    for (auto org : f.organizations) s.bind(i++, org.value());
    if (f.action) s.bind(i++, *f.action);
    if (f.actor) s.bind(i++, *f.actor);
    if (f.target_type) s.bind(i++, *f.target_type);
    if (f.target_id) s.bind(i++, *f.target_id);
    if (f.from) s.bind(i++, format_rfc3339(*f.from));
    if (f.to) s.bind(i++, format_rfc3339(*f.to));
    if (f.before_id) s.bind(i++, *f.before_id);
    s.bind(i, f.limit);
    std::vector<AuditRecord> out;
    while (s.step()) out.push_back(read_audit(s));
    return out;
  }
  std::optional<AuditRecord> find_audit(AuditId id) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM audit_log WHERE id = ?", kAuditColumns));
    s.bind(1, id.value());
    if (s.step()) return read_audit(s);
    return std::nullopt;
  }
  void scan_audit(const std::function<void(const AuditRecord&)>& visit) override {
    auto& s = c_.prepare(fmt::format("SELECT {} FROM audit_log ORDER BY id", kAuditColumns));
    while (s.step()) visit(read_audit(s));
  }

 private:
  static void bind_user(Statement& s, const User& u) {
    s.bind(1, u.username).bind(2, u.display_name).bind(3, u.email).bind(4, domain::role_name(u.role));
    s.bind(5, u.organization.value()).bind(6, u.disabled).bind(7, u.password_hash);
    s.bind(8, u.password_change_required).bind(9, u.totp_secret).bind(10, u.totp_pending);
    s.bind(11, u.totp_last_step).bind(12, u.locale).bind(13, to_unix_ms(u.created_at));
    s.bind(14, opt_ms(u.last_login_at));
  }
  Connection& c_;
};

int schema_version(Connection& c) {
  auto& s = c.prepare("PRAGMA user_version");
  s.step();
  const int v = static_cast<int>(s.integer(0));
  s.reset();  // an open statement would lock the tables a migration drops
  return v;
}

class SqliteStore final : public service::Store {
 public:
  SqliteStore(const std::filesystem::path& path, int pool_size) {
    for (int i = 0; i < pool_size; ++i) free_.push_back(std::make_unique<Connection>(path.string(), false));
    size_ = pool_size;
  }

  Status read(const std::function<Status(service::Tx&)>& work) override { return run(work, "BEGIN"); }
  Status write(const std::function<Status(service::Tx&)>& work) override { return run(work, "BEGIN IMMEDIATE"); }

  Status ping() override {
    return read([](service::Tx& tx) -> Status {
      tx.audit_head();
      return {};
    });
  }

  service::StoreStats stats() const override {
    std::lock_guard lock(mu_);
    return {size_, size_ - static_cast<int>(free_.size()), waits_};
  }

 private:
  Status run(const std::function<Status(service::Tx&)>& work, std::string_view begin) {
    auto conn = acquire();
    struct Release {
      SqliteStore* self;
      std::unique_ptr<Connection>& c;
      ~Release() { self->release(std::move(c)); }
    } release{this, conn};
    try {
      conn->prepare(begin).run();
    } catch (const SqliteError& e) {
      return Error("store_unavailable", e.what());
    }
    try {
      SqliteTx tx(*conn);
      Status st = work(tx);
      conn->reset_statements();
      conn->prepare(st.ok() ? "COMMIT" : "ROLLBACK").run();
      return st;
    } catch (const SqliteError& e) {
      conn->reset_statements();
      conn->exec("ROLLBACK");
      return Error(e.is_constraint() ? "conflict" : "store_error", e.what());
    } catch (...) {
      conn->reset_statements();
      conn->exec("ROLLBACK");
      throw;
    }
  }

  std::unique_ptr<Connection> acquire() {
    std::unique_lock lock(mu_);
    if (free_.empty()) ++waits_;
    available_.wait(lock, [&] { return !free_.empty(); });
    auto c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void release(std::unique_ptr<Connection> c) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(c));
    }
    available_.notify_one();
  }

  mutable std::mutex mu_;  // guards free_ and waits_
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> free_;
  int size_ = 0;
  std::uint64_t waits_ = 0;
};

}  // namespace

int latest_schema_version() { return std::size(kMigrations) == 0 ? 0 : std::rbegin(kMigrations)->version; }

Result<MigrationReport> migrate_sqlite(const std::filesystem::path& db_path) {
  try {
    Connection c(db_path.string(), true);
    MigrationReport report;
    report.from_version = schema_version(c);
    if (report.from_version > latest_schema_version())
      return Error("schema_too_new", fmt::format("database schema version {} is newer than this binary knows ({})",
                                                 report.from_version, latest_schema_version()));
    // SQLite's procedure for schema changes: foreign keys off outside the transaction (a
    // migration may rebuild a table others refer to), checked before commit, on again after.
    c.exec("PRAGMA foreign_keys = OFF");
    for (const auto& m : kMigrations) {
      if (m.version <= report.from_version) continue;
      c.exec("BEGIN IMMEDIATE");
      try {
        c.exec(m.sql());
        auto& check = c.prepare("PRAGMA foreign_key_check");
        if (check.step()) {
          const std::string table = check.text(0);
          check.reset();
          throw SqliteError(SQLITE_CONSTRAINT, "foreign key violated in table " + table);
        }
        check.reset();
        c.exec(fmt::format("PRAGMA user_version = {}", m.version));
        c.exec("COMMIT");
      } catch (const SqliteError& e) {
        c.reset_statements();
        c.exec("ROLLBACK");
        c.exec("PRAGMA foreign_keys = ON");
        return Error("migration_failed", fmt::format("migration {:04}: {}", m.version, e.what()));
      }
      report.applied.push_back(m.version);
    }
    c.exec("PRAGMA foreign_keys = ON");
    report.to_version = schema_version(c);
    return report;
  } catch (const SqliteError& e) {
    return Error("store_unavailable", e.what());
  }
}

Result<std::unique_ptr<service::Store>> open_sqlite_store(const std::filesystem::path& db_path, int pool_size) {
  try {
    {
      Connection probe(db_path.string(), false);
      if (int v = schema_version(probe); v != latest_schema_version())
        return Error("schema_mismatch",
                     fmt::format("database schema version {} but this binary needs {}; run `khien migrate`", v,
                                 latest_schema_version()));
    }
    return std::unique_ptr<service::Store>(std::make_unique<SqliteStore>(db_path, pool_size));
  } catch (const SqliteError& e) {
    return Error("store_unavailable", e.what());
  }
}

namespace {
Status copy_database(sqlite3* from, sqlite3* to) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) return Error("backup_failed", sqlite3_errmsg(to));
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return Error("backup_failed", sqlite3_errstr(rc));
  return {};
}
}  // namespace

Status backup_sqlite(const std::filesystem::path& source, const std::filesystem::path& destination) {
  if (std::filesystem::exists(destination))
    return Error("backup_failed", fmt::format("{} already exists; choose a new file", destination.string()));
  try {
    Connection from(source.string(), false);
    Connection to(destination.string(), true);
    KHIEN_TRY(copy_database(from.handle(), to.handle()));
    to.exec("PRAGMA journal_mode = DELETE");
    return {};
  } catch (const SqliteError& e) {
    return Error("backup_failed", e.what());
  }
}

Status restore_sqlite(const std::filesystem::path& source, const std::filesystem::path& db_path) {
  try {
    Connection from(source.string(), false);
    auto& check = from.prepare("PRAGMA integrity_check");
    if (!check.step() || check.text(0) != "ok")
      return Error("restore_failed", fmt::format("{} fails SQLite's integrity check", source.string()));
    if (int v = schema_version(from); v < 1 || v > latest_schema_version())
      return Error("restore_failed", fmt::format("{} is not a Khiên database this binary can use (schema {})",
                                                 source.string(), v));
    Connection to(db_path.string(), true);
    return copy_database(from.handle(), to.handle());
  } catch (const SqliteError& e) {
    return Error("restore_failed", e.what());
  }
}

}  // namespace khien::store
