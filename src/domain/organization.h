#pragma once
// The organisation tree (national → coordinator → agency → unit) and who may see what in it.
#include <optional>
#include <string_view>
#include <vector>

#include "base/ids.h"

namespace khien::domain {

enum class OrgKind { kNational, kCoordinator, kAgency, kUnit };

std::string_view org_kind_name(OrgKind k);
std::optional<OrgKind> parse_org_kind(std::string_view name);

// Whether an organisation of kind `child` may sit under one of kind `parent` (nullopt: a root).
bool may_nest(std::optional<OrgKind> parent, OrgKind child);

struct OrgNode {
  OrgId id;
  std::optional<OrgId> parent;
  OrgKind kind;
};

// A snapshot of the whole tree. Cheap queries; no I/O.
class OrgTree {
 public:
  explicit OrgTree(std::vector<OrgNode> nodes);

  const OrgNode* find(OrgId id) const;
  // The tenant an organisation belongs to: itself, or for a unit its nearest non-unit ancestor.
  // Everything a unit holds belongs to the tenant's data.
  OrgId tenant_of(OrgId id) const;
  bool is_ancestor_or_self(OrgId ancestor, OrgId id) const;
  std::vector<OrgId> ancestors(OrgId id) const;  // nearest first, excluding id

  // What a member of `viewer_org` may see of the tree: ancestors of its tenant (for context),
  // the tenant and everything beneath it. Data (users, audit, later incidents) is narrower:
  // see same_tenant.
  bool org_visible(OrgId viewer_org, OrgId target) const;
  // Tree records (names, kinds) a member of `viewer_org` may administer: its tenant's subtree.
  bool org_manageable(OrgId viewer_org, OrgId target) const;
  // Data of `owner` belongs to the viewer's tenant. A parent sees a child's data only when it
  // is shared (later issues), never through the tree.
  bool same_tenant(OrgId viewer_org, OrgId owner) const;

 private:
  std::vector<OrgNode> nodes_;
};

}  // namespace khien::domain
