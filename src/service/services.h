#pragma once
// Every use case of the product, wired to one store and one clock.
#include "service/audit_trail.h"
#include "service/catalog.h"
#include "service/identity.h"
#include "service/incidents.h"
#include "service/statistics.h"
#include "service/organizations.h"
#include "service/users.h"

namespace khien::service {

struct Services {
  // REQUIRES `catalog` outlives the services.
  Services(Store& s, const Clock& c, const SecuritySettings& settings, const Catalog& catalog, EvidenceFiles& files)
      : store(s),
        identity(s, c, settings),
        organizations(s, c),
        users(s, c, identity.settings()),
        audit(s),
        systems(s, c),
        incidents(s, c, catalog, files),
        statistics(s, catalog) {}
  Store& store;
  Identity identity;
  Organizations organizations;
  Users users;
  AuditTrail audit;
  Systems systems;
  Incidents incidents;
  Statistics statistics;
};

}  // namespace khien::service
