#include "domain/organization.h"

#include <algorithm>

namespace khien::domain {

std::string_view org_kind_name(OrgKind k) {
  switch (k) {
    case OrgKind::kNational: return "national";
    case OrgKind::kCoordinator: return "coordinator";
    case OrgKind::kAgency: return "agency";
    case OrgKind::kUnit: return "unit";
  }
  return "unit";
}

std::optional<OrgKind> parse_org_kind(std::string_view name) {
  for (auto k : {OrgKind::kNational, OrgKind::kCoordinator, OrgKind::kAgency, OrgKind::kUnit})
    if (org_kind_name(k) == name) return k;
  return std::nullopt;
}

bool may_nest(std::optional<OrgKind> parent, OrgKind child) {
  if (!parent) return child == OrgKind::kNational || child == OrgKind::kCoordinator || child == OrgKind::kAgency;
  switch (*parent) {
    case OrgKind::kNational: return child != OrgKind::kNational;
    case OrgKind::kCoordinator: return child != OrgKind::kNational;
    case OrgKind::kAgency: return child == OrgKind::kUnit;
    case OrgKind::kUnit: return child == OrgKind::kUnit;
  }
  return false;
}

OrgTree::OrgTree(std::vector<OrgNode> nodes) : nodes_(std::move(nodes)) {
  std::sort(nodes_.begin(), nodes_.end(), [](const OrgNode& a, const OrgNode& b) { return a.id < b.id; });
}

const OrgNode* OrgTree::find(OrgId id) const {
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), id, [](const OrgNode& n, OrgId v) { return n.id < v; });
  return it != nodes_.end() && it->id == id ? &*it : nullptr;
}

std::vector<OrgId> OrgTree::ancestors(OrgId id) const {
  std::vector<OrgId> out;
  const OrgNode* n = find(id);
  // The depth bound guards against a cycle written into the database by hand.
  for (std::size_t depth = 0; n && n->parent && depth < nodes_.size(); ++depth) {
    out.push_back(*n->parent);
    n = find(*n->parent);
  }
  return out;
}

OrgId OrgTree::tenant_of(OrgId id) const {
  const OrgNode* n = find(id);
  for (std::size_t depth = 0; n && n->kind == OrgKind::kUnit && n->parent && depth < nodes_.size(); ++depth)
    n = find(*n->parent);
  return n ? n->id : id;
}

bool OrgTree::is_ancestor_or_self(OrgId ancestor, OrgId id) const {
  if (ancestor == id) return true;
  const auto a = ancestors(id);
  return std::find(a.begin(), a.end(), ancestor) != a.end();
}

bool OrgTree::org_visible(OrgId viewer_org, OrgId target) const {
  if (!find(target)) return false;
  const OrgId tenant = tenant_of(viewer_org);
  return is_ancestor_or_self(tenant, target) || is_ancestor_or_self(target, tenant);
}

bool OrgTree::org_manageable(OrgId viewer_org, OrgId target) const {
  return find(target) && is_ancestor_or_self(tenant_of(viewer_org), target);
}

bool OrgTree::same_tenant(OrgId viewer_org, OrgId owner) const {
  return find(owner) && tenant_of(viewer_org) == tenant_of(owner);
}

}  // namespace khien::domain
