// The operator's subcommands (everything but serve).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/runtime.h"
#include "cli/text.h"
#include "store/sqlite/sqlite_store.h"

#ifndef KHIEN_VERSION
#define KHIEN_VERSION "0.0.0"
#endif

namespace khien::cli {

namespace {
int fail(const Error& e) {
  print_error(e);
  return e.code() == "validation_failed" || e.code() == "config_invalid" ? 2 : 1;
}

std::optional<service::Organization> find_org(Runtime& rt, const std::string& slug) {
  std::optional<service::Organization> o;
  (void)rt.store->read([&](service::Tx& tx) -> Status {
    o = tx.find_organization_by_slug(slug);
    return {};
  });
  return o;
}
}  // namespace

int migrate(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  auto r = store::migrate_sqlite(config.data_dir / "khien.db");
  if (!r.ok()) return fail(r.error());
  if (r->applied.empty()) {
    std::cout << say("cli.schema_up_to_date", r->to_version) << "\n";
  } else {
    std::string applied;
    for (int v : r->applied) applied += fmt::format("{}{:04}", applied.empty() ? "" : " ", v);
    std::cout << say("cli.schema_migrated", r->from_version, r->to_version, applied) << "\n";
  }
  return 0;
}

int org_add(const Config& config, const std::string& slug, const std::string& name, const std::string& kind,
            const std::optional<std::string>& parent) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  service::OrganizationCreate in;
  in.slug = slug;
  in.name = name;
  auto k = domain::parse_org_kind(kind);
  if (!k) return fail(validation_error("kind", "enum", "national, coordinator, agency, unit"));
  in.kind = *k;
  if (parent) {
    auto p = find_org(**rt, *parent);
    if (!p) return fail(validation_error("parent", "not_found", *parent));
    in.parent = p->id;
  }
  auto o = (*rt)->services->organizations.create_as_operator(in, operator_meta());
  if (!o.ok()) return fail(o.error());
  std::cout << say("cli.org_added", o->slug, o->id.str()) << "\n";
  return 0;
}

int org_list(const Config& config) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  std::vector<service::Organization> orgs;
  (void)(*rt)->store->read([&](service::Tx& tx) -> Status {
    orgs = tx.list_organizations();
    return {};
  });
  const auto c = columns("cli.org_columns");
  std::cout << fmt::format("{:<6} {:<28} {:<12} {:<6} {}\n", c.at(0), c.at(1), c.at(2), c.at(3), c.at(4));
  for (const auto& o : orgs)
    std::cout << fmt::format("{:<6} {:<28} {:<12} {:<6} {}\n", o.id.str(), o.slug, domain::org_kind_name(o.kind),
                             o.parent ? o.parent->str() : "-", o.name);
  return 0;
}

int user_add(const Config& config, const std::string& org, const std::string& username, const std::string& role,
             const std::string& display_name, const std::string& email) {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::cerr << say("cli.no_password_stdin") << "\n";
    return 2;
  }
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  auto o = find_org(**rt, org);
  if (!o) return fail(validation_error("org", "not_found", org));
  auto r = domain::parse_role(role);
  if (!r) return fail(validation_error("role", "enum", "administrator, security-officer, responder, viewer, auditor, director"));
  service::UserCreate in;
  in.username = username;
  in.display_name = display_name.empty() ? username : display_name;
  in.email = email;
  in.role = *r;
  in.organization = o->id;
  in.password = password;
  auto u = (*rt)->services->users.create_as_operator(in, operator_meta());
  if (!u.ok()) return fail(u.error());
  std::cout << say("cli.user_added", u->username, u->id.str()) << "\n";
  return 0;
}

int user_list(const Config& config, const std::optional<std::string>& org) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  std::optional<OrgId> org_id;
  if (org) {
    auto o = find_org(**rt, *org);
    if (!o) return fail(validation_error("org", "not_found", *org));
    org_id = o->id;
  }
  auto users = (*rt)->services->users.list_as_operator(org_id);
  if (!users.ok()) return fail(users.error());
  const auto c = columns("cli.user_columns");
  std::cout << fmt::format("{:<6} {:<24} {:<18} {:<6} {:<9} {}\n", c.at(0), c.at(1), c.at(2), c.at(3), c.at(4), c.at(5));
  for (const auto& u : *users)
    std::cout << fmt::format("{:<6} {:<24} {:<18} {:<6} {:<9} {}\n", u.id.str(), u.username,
                             domain::role_name(u.role), u.organization.str(),
                             say(u.disabled ? "cli.user_disabled_status" : "cli.user_active"), u.display_name);
  return 0;
}

int user_reset_password(const Config& config, const std::string& username) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  auto pw = (*rt)->services->users.reset_password_as_operator(username, operator_meta());
  if (!pw.ok()) return fail(pw.error());
  std::cout << say("cli.username", username) << "\n"
            << say("cli.password", *pw) << "\n"
            << say("cli.password_temporary") << "\n";
  return 0;
}

int user_disable(const Config& config, const std::string& username) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  if (auto st = (*rt)->services->users.disable_as_operator(username, operator_meta()); !st.ok())
    return fail(st.error());
  std::cout << say("cli.user_disabled", username) << "\n";
  return 0;
}

int audit_verify(const Config& config) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  auto v = (*rt)->services->audit.verify();
  if (!v.ok()) return fail(v.error());
  if (v->intact) {
    std::cout << say("cli.audit_intact") << "\n";
    return 0;
  }
  std::cout << say("cli.audit_broken", v->entry_id, domain::chain_fault_name(v->fault), v->explanation) << "\n";
  return 1;
}

int backup_create(const Config& config, const std::filesystem::path& output) {
  const auto db = config.data_dir / "khien.db";
  if (!std::filesystem::exists(db)) return fail(Error("backup_failed", "no database at " + db.string()));
  if (auto st = store::backup_sqlite(db, output); !st.ok()) return fail(st.error());
  std::cout << say("cli.backup_written", output.string()) << "\n";
  return 0;
}

int backup_restore(const Config& config, const std::filesystem::path& input, bool force) {
  const auto db = config.data_dir / "khien.db";
  if (!std::filesystem::exists(input)) return fail(Error("restore_failed", "no backup at " + input.string()));
  if (std::filesystem::exists(db) && !force)
    return fail(Error("restore_failed", db.string() + " exists; stop the server and pass --force to replace it"));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (auto st = store::restore_sqlite(input, db); !st.ok()) return fail(st.error());
  std::cout << say("cli.restored", input.string(), db.string()) << "\n";
  return 0;
}

int version() {
  std::cout << "khien " << KHIEN_VERSION << " (schema " << store::latest_schema_version() << ")\n";
  return 0;
}

}  // namespace khien::cli
