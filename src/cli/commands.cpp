// The operator's subcommands (everything but serve).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/runtime.h"
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
    std::cout << "schema version " << r->to_version << ": up to date\n";
  } else {
    std::cout << "schema version " << r->from_version << " -> " << r->to_version << " (applied";
    for (int v : r->applied) std::cout << fmt::format(" {:04}", v);
    std::cout << ")\n";
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
  std::cout << "organisation " << o->slug << " added (id " << o->id.str() << ")\n";
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
  std::cout << fmt::format("{:<6} {:<28} {:<12} {:<6} {}\n", "ID", "SLUG", "KIND", "PARENT", "NAME");
  for (const auto& o : orgs)
    std::cout << fmt::format("{:<6} {:<28} {:<12} {:<6} {}\n", o.id.str(), o.slug, domain::org_kind_name(o.kind),
                             o.parent ? o.parent->str() : "-", o.name);
  return 0;
}

int user_add(const Config& config, const std::string& org, const std::string& username, const std::string& role,
             const std::string& display_name, const std::string& email) {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::cerr << "khien: no password on standard input (--password-stdin reads one line)\n";
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
  std::cout << "user " << u->username << " added (id " << u->id.str() << ")\n";
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
  std::cout << fmt::format("{:<6} {:<24} {:<18} {:<6} {:<9} {}\n", "ID", "USERNAME", "ROLE", "ORG", "STATUS", "NAME");
  for (const auto& u : *users)
    std::cout << fmt::format("{:<6} {:<24} {:<18} {:<6} {:<9} {}\n", u.id.str(), u.username,
                             domain::role_name(u.role), u.organization.str(), u.disabled ? "disabled" : "active",
                             u.display_name);
  return 0;
}

int user_reset_password(const Config& config, const std::string& username) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  auto pw = (*rt)->services->users.reset_password_as_operator(username, operator_meta());
  if (!pw.ok()) return fail(pw.error());
  std::cout << "username: " << username << "\npassword: " << *pw
            << "\n(temporary: the user must choose a new password at the next sign-in)\n";
  return 0;
}

int user_disable(const Config& config, const std::string& username) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  if (auto st = (*rt)->services->users.disable_as_operator(username, operator_meta()); !st.ok())
    return fail(st.error());
  std::cout << "user " << username << " disabled; their sessions have ended\n";
  return 0;
}

int audit_verify(const Config& config) {
  auto rt = open_runtime(config, 1);
  if (!rt.ok()) return fail(rt.error());
  auto v = (*rt)->services->audit.verify();
  if (!v.ok()) return fail(v.error());
  if (v->intact) {
    std::cout << "audit log intact\n";
    return 0;
  }
  std::cout << fmt::format("audit log broken at entry {}: {} ({})\n", v->entry_id, domain::chain_fault_name(v->fault),
                           v->explanation);
  return 1;
}

int backup_create(const Config& config, const std::filesystem::path& output) {
  const auto db = config.data_dir / "khien.db";
  if (!std::filesystem::exists(db)) return fail(Error("backup_failed", "no database at " + db.string()));
  if (auto st = store::backup_sqlite(db, output); !st.ok()) return fail(st.error());
  std::cout << "backup written to " << output.string() << "\n";
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
  std::cout << "restored " << input.string() << " into " << db.string() << "\n";
  return 0;
}

int version() {
  std::cout << "khien " << KHIEN_VERSION << " (schema " << store::latest_schema_version() << ")\n";
  return 0;
}

}  // namespace khien::cli
