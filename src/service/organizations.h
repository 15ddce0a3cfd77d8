#pragma once
// The organisation tree: listing what a user may see, adding and changing organisations.
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "domain/organization.h"
#include "service/context.h"
#include "service/records.h"
#include "service/store.h"

namespace khien::service {

// The tree as it is now in the store.
domain::OrgTree load_tree(Tx& tx);
// The tenant of `org` (itself, or the nearest non-unit ancestor of a unit).
OrgId tenant_of(Tx& tx, OrgId org);

struct OrganizationCreate {
  std::string slug;
  std::string name;
  domain::OrgKind kind = domain::OrgKind::kUnit;
  std::optional<OrgId> parent;
  bool require_totp = false;
};

struct OrganizationUpdate {
  std::optional<std::string> name;
  std::optional<bool> require_totp;
};

struct OrganizationPage {
  std::vector<Organization> items;
  std::optional<std::int64_t> next_after_id;
};

class Organizations {
 public:
  Organizations(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<OrganizationPage> list(const Principal& p, std::optional<std::int64_t> after_id, int limit);
  Result<Organization> get(const Principal& p, OrgId id);
  Result<Organization> create(const Principal& p, const OrganizationCreate& in, const RequestMeta& meta);
  Result<Organization> update(const Principal& p, OrgId id, const OrganizationUpdate& in, const RequestMeta& meta);

  // For the command line and first start: no principal, audited as the system.
  Result<Organization> create_as_operator(const OrganizationCreate& in, const RequestMeta& meta);

 private:
  Result<Organization> insert(Tx& tx, const OrganizationCreate& in, std::optional<Principal> p,
                              const RequestMeta& meta);
  Store& store_;
  const Clock& clock_;
};

}  // namespace khien::service
