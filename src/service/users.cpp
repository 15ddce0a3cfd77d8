#include "service/users.h"

#include <boost/json.hpp>

#include "base/crypto.h"
#include "service/audit_trail.h"
#include "service/identity.h"
#include "service/organizations.h"

namespace khien::service {

namespace {
constexpr std::size_t kTemporaryPasswordLength = 16;

// Every organisation whose data belongs to `tenant` (the tenant and its units).
std::vector<OrgId> tenant_orgs(Tx& tx, const domain::OrgTree& tree, OrgId tenant) {
  std::vector<OrgId> out;
  for (const auto& o : tx.list_organizations())
    if (tree.tenant_of(o.id) == tenant) out.push_back(o.id);
  return out;
}

AuditEvent operator_event(Tx& tx, const User& u, std::string action) {
  AuditEvent e;
  e.actor = "system";
  e.organization = tenant_of(tx, u.organization);
  e.action = std::move(action);
  e.target_type = "user";
  e.target_id = u.id.str();
  return e;
}
}  // namespace

Result<UserPage> Users::list(const Principal& p, const UserQuery& q) {
  KHIEN_TRY(authorize(p, domain::Action::kUserRead, Access::kRead));
  UserPage page;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    const auto tree = load_tree(tx);
    UserFilter f;
    if (q.organization) {
      if (!tree.same_tenant(p.organization, *q.organization)) return Error("not_found");
      f.organizations = {*q.organization};
    } else {
      f.organizations = tenant_orgs(tx, tree, p.tenant);
    }
    f.text = q.text;
    f.include_disabled = q.include_disabled;
    f.after_id = q.after_id;
    f.limit = q.limit + 1;
    page.items = tx.list_users(f);
    return {};
  }));
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.resize(static_cast<std::size_t>(q.limit));
    page.next_after_id = page.items.back().id.value();
  }
  return page;
}

Result<User> Users::get(const Principal& p, UserId id) {
  KHIEN_TRY(authorize(p, domain::Action::kUserRead, Access::kRead));
  std::optional<User> found;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto u = tx.find_user(id);
    if (u && tenant_of(tx, u->organization) == p.tenant) found = std::move(u);
    return {};
  }));
  if (!found) return Error("not_found");
  return *found;
}

Result<User> Users::insert(Tx& tx, const UserCreate& in, const std::optional<Principal>& p, const RequestMeta& meta) {
  auto org = tx.find_organization(in.organization);
  if (!org) return p ? Error("not_found") : validation_error("organization_id", "not_found");
  if (p) {
    const auto tree = load_tree(tx);
    if (!tree.same_tenant(p->organization, org->id)) {
      // An administrator provisions the first administrator of an organisation created
      // beneath theirs; after that the organisation manages its own people.
      const OrgId target_tenant = tree.tenant_of(org->id);
      const bool provisioning = tree.org_manageable(p->organization, org->id) &&
                                in.role == domain::Role::kAdministrator &&
                                tx.count_users(tenant_orgs(tx, tree, target_tenant)) == 0;
      if (!provisioning) return tree.org_visible(p->organization, org->id) ? Error("forbidden") : Error("not_found");
    }
  }
  if (tx.find_user_by_username(in.username)) return validation_error("username", "taken");
  User u;
  u.username = in.username;
  u.display_name = in.display_name;
  u.email = in.email;
  u.role = in.role;
  u.organization = org->id;
  u.password_hash = crypto::hash_password(in.password);
  // Someone else chose this password: the user replaces it at first sign-in.
  u.password_change_required = p.has_value();
  u.created_at = clock_.now();
  u.id = tx.insert_user(u);
  AuditEvent e = p ? event_by(*p, "user.create", "user", u.id.str()) : operator_event(tx, u, "user.create");
  e.changes["username"] = u.username;
  e.changes["display_name"] = u.display_name;
  e.changes["email"] = u.email;
  e.changes["role"] = domain::role_name(u.role);
  e.changes["organization_id"] = u.organization.str();
  record(tx, clock_, meta, std::move(e));
  return u;
}

Result<User> Users::create(const Principal& p, const UserCreate& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kUserCreate, Access::kChange));
  KHIEN_TRY(check_password_policy(settings_, "password", in.password, in.username));
  std::optional<User> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = insert(tx, in, p, meta);
    if (!u.ok()) return u.error();
    out = std::move(u).value();
    return {};
  }));
  return *out;
}

Result<User> Users::create_as_operator(const UserCreate& in, const RequestMeta& meta) {
  KHIEN_TRY(check_password_policy(settings_, "password", in.password, in.username));
  std::optional<User> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = insert(tx, in, std::nullopt, meta);
    if (!u.ok()) return u.error();
    out = std::move(u).value();
    return {};
  }));
  return *out;
}

Result<User> Users::update(const Principal& p, UserId id, const UserUpdate& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kUserUpdate, Access::kChange));
  std::optional<User> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(id);
    if (!u || tenant_of(tx, u->organization) != p.tenant) return Error("not_found");
    if (id == p.user && ((in.role && *in.role != u->role) || (in.disabled && *in.disabled)))
      return validation_error(in.role ? "role" : "disabled", "cannot_change_self");
    auto e = event_by(p, "user.update", "user", id.str());
    if (in.display_name && *in.display_name != u->display_name) {
      note_change(e.changes, "display_name", boost::json::string(u->display_name), boost::json::string(*in.display_name));
      u->display_name = *in.display_name;
    }
    if (in.email && *in.email != u->email) {
      note_change(e.changes, "email", boost::json::string(u->email), boost::json::string(*in.email));
      u->email = *in.email;
    }
    if (in.role && *in.role != u->role) {
      note_change(e.changes, "role", boost::json::string(domain::role_name(u->role)),
                  boost::json::string(domain::role_name(*in.role)));
      u->role = *in.role;
    }
    if (in.organization && *in.organization != u->organization) {
      auto target = tx.find_organization(*in.organization);
      if (!target || tenant_of(tx, target->id) != p.tenant) return validation_error("organization_id", "not_found");
      note_change(e.changes, "organization_id", boost::json::string(u->organization.str()),
                  boost::json::string(in.organization->str()));
      u->organization = *in.organization;
    }
    if (in.disabled && *in.disabled != u->disabled) {
      note_change(e.changes, "disabled", u->disabled, *in.disabled);
      u->disabled = *in.disabled;
      if (u->disabled) tx.delete_sessions_of(u->id, {});
    }
    if (!e.changes.empty()) {
      tx.update_user(*u);
      record(tx, clock_, meta, std::move(e));
    }
    out = std::move(u);
    return {};
  }));
  return *out;
}

Result<std::string> Users::reset_password(const Principal& p, UserId id, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kUserResetPassword, Access::kChange));
  const auto password = crypto::random_password(kTemporaryPasswordLength);
  const auto hash = crypto::hash_password(password);
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(id);
    if (!u || tenant_of(tx, u->organization) != p.tenant) return Error("not_found");
    u->password_hash = hash;
    u->password_change_required = true;
    tx.update_user(*u);
    tx.delete_sessions_of(u->id, {});
    record(tx, clock_, meta, event_by(p, "user.reset_password", "user", id.str()));
    return {};
  }));
  return password;
}

Result<std::vector<User>> Users::list_as_operator(std::optional<OrgId> organization) {
  std::vector<User> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    UserFilter f;
    for (const auto& o : tx.list_organizations())
      if (!organization || o.id == *organization) f.organizations.push_back(o.id);
    if (f.organizations.empty()) return {};
    f.limit = 1000000;
    out = tx.list_users(f);
    return {};
  }));
  return out;
}

Result<std::string> Users::reset_password_as_operator(std::string_view username, const RequestMeta& meta) {
  const auto password = crypto::random_password(kTemporaryPasswordLength);
  const auto hash = crypto::hash_password(password);
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user_by_username(username);
    if (!u) return Error("not_found", "no user with that username");
    u->password_hash = hash;
    u->password_change_required = true;
    u->disabled = false;
    tx.update_user(*u);
    tx.delete_sessions_of(u->id, {});
    record(tx, clock_, meta, operator_event(tx, *u, "user.reset_password"));
    return {};
  }));
  return password;
}

Status Users::disable_as_operator(std::string_view username, const RequestMeta& meta) {
  return store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user_by_username(username);
    if (!u) return Error("not_found", "no user with that username");
    if (u->disabled) return {};
    u->disabled = true;
    tx.update_user(*u);
    tx.delete_sessions_of(u->id, {});
    auto e = operator_event(tx, *u, "user.update");
    note_change(e.changes, "disabled", false, true);
    record(tx, clock_, meta, std::move(e));
    return {};
  });
}

}  // namespace khien::service
