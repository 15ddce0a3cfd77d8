#pragma once
// Every use case of the product, wired to one store and one clock.
#include "service/audit_trail.h"
#include "service/identity.h"
#include "service/organizations.h"
#include "service/users.h"

namespace khien::service {

struct Services {
  Services(Store& s, const Clock& c, const SecuritySettings& settings)
      : store(s), identity(s, c, settings), organizations(s, c), users(s, c, identity.settings()), audit(s) {}
  Store& store;
  Identity identity;
  Organizations organizations;
  Users users;
  AuditTrail audit;
};

}  // namespace khien::service
