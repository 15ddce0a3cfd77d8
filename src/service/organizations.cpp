#include "service/organizations.h"

#include <boost/json.hpp>

#include "service/audit_trail.h"

namespace khien::service {

domain::OrgTree load_tree(Tx& tx) {
  std::vector<domain::OrgNode> nodes;
  for (const auto& o : tx.list_organizations()) nodes.push_back({o.id, o.parent, o.kind});
  return domain::OrgTree(std::move(nodes));
}

OrgId tenant_of(Tx& tx, OrgId org) {
  // Units nest a few levels at most; the bound guards against a cycle made by hand.
  OrgId current = org;
  for (int depth = 0; depth < 64; ++depth) {
    auto o = tx.find_organization(current);
    if (!o || o->kind != domain::OrgKind::kUnit || !o->parent) return current;
    current = *o->parent;
  }
  return current;
}

Result<OrganizationPage> Organizations::list(const Principal& p, std::optional<std::int64_t> after_id, int limit) {
  KHIEN_TRY(authorize(p, domain::Action::kOrganizationRead, Access::kRead));
  OrganizationPage page;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    const auto tree = load_tree(tx);
    for (auto& o : tx.list_organizations()) {
      if (after_id && o.id.value() <= *after_id) continue;
      if (!tree.org_visible(p.organization, o.id)) continue;
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_after_id = page.items.back().id.value();
        break;
      }
      page.items.push_back(std::move(o));
    }
    return {};
  }));
  return page;
}

Result<Organization> Organizations::get(const Principal& p, OrgId id) {
  KHIEN_TRY(authorize(p, domain::Action::kOrganizationRead, Access::kRead));
  std::optional<Organization> found;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    if (load_tree(tx).org_visible(p.organization, id)) found = tx.find_organization(id);
    return {};
  }));
  if (!found) return Error("not_found");
  return *found;
}

Result<Organization> Organizations::insert(Tx& tx, const OrganizationCreate& in, std::optional<Principal> p,
                                           const RequestMeta& meta) {
  std::optional<Organization> parent;
  if (in.parent) {
    parent = tx.find_organization(*in.parent);
    if (!parent) return p ? Error("not_found") : validation_error("parent_id", "not_found");
    if (p && !load_tree(tx).org_manageable(p->organization, parent->id)) {
      // Visible but not ours to change: forbidden; invisible: as if it did not exist.
      return load_tree(tx).org_visible(p->organization, parent->id) ? Error("forbidden") : Error("not_found");
    }
  } else if (p) {
    return validation_error("parent_id", "required");
  }
  if (!domain::may_nest(parent ? std::optional(parent->kind) : std::nullopt, in.kind))
    return validation_error("kind", "kind_not_allowed_here");
  if (tx.find_organization_by_slug(in.slug)) return validation_error("slug", "taken");
  Organization o{OrgId(), in.slug, in.name, in.kind, in.parent, in.require_totp, std::nullopt, clock_.now()};
  o.id = tx.insert_organization(o);
  AuditEvent e;
  if (p) {
    e = event_by(*p, "organization.create", "organization", o.id.str());
  } else {
    e.actor = "system";
    e.organization = tenant_of(tx, o.id);
    e.action = "organization.create";
    e.target_type = "organization";
    e.target_id = o.id.str();
  }
  e.changes["slug"] = o.slug;
  e.changes["name"] = o.name;
  e.changes["kind"] = domain::org_kind_name(o.kind);
  e.changes["parent_id"] = o.parent ? boost::json::value(o.parent->str()) : boost::json::value(nullptr);
  e.changes["require_totp"] = o.require_totp;
  record(tx, clock_, meta, std::move(e));
  return o;
}

Result<Organization> Organizations::create(const Principal& p, const OrganizationCreate& in,
                                           const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOrganizationCreate, Access::kChange));
  std::optional<Organization> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto o = insert(tx, in, p, meta);
    if (!o.ok()) return o.error();
    out = std::move(o).value();
    return {};
  }));
  return *out;
}

Result<Organization> Organizations::create_as_operator(const OrganizationCreate& in, const RequestMeta& meta) {
  std::optional<Organization> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto o = insert(tx, in, std::nullopt, meta);
    if (!o.ok()) return o.error();
    out = std::move(o).value();
    return {};
  }));
  return *out;
}

Result<Organization> Organizations::update(const Principal& p, OrgId id, const OrganizationUpdate& in,
                                           const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOrganizationUpdate, Access::kChange));
  std::optional<Organization> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    const auto tree = load_tree(tx);
    if (!tree.org_visible(p.organization, id)) return Error("not_found");
    if (!tree.org_manageable(p.organization, id)) return Error("forbidden");
    auto o = tx.find_organization(id);
    if (!o) return Error("not_found");
    auto e = event_by(p, "organization.update", "organization", id.str());
    if (in.name && *in.name != o->name) {
      note_change(e.changes, "name", boost::json::string(o->name), boost::json::string(*in.name));
      o->name = *in.name;
    }
    if (in.require_totp && *in.require_totp != o->require_totp) {
      note_change(e.changes, "require_totp", o->require_totp, *in.require_totp);
      o->require_totp = *in.require_totp;
    }
    if (!e.changes.empty()) {
      tx.update_organization(*o);
      record(tx, clock_, meta, std::move(e));
    }
    out = std::move(o);
    return {};
  }));
  return *out;
}

}  // namespace khien::service
