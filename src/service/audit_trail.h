#pragma once
// Writing and reading the audit log. Every change writes its entry through `record`, inside
// the change's own transaction.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "domain/audit_chain.h"
#include "service/context.h"
#include "service/store.h"

namespace khien::service {

struct AuditEvent {
  std::optional<UserId> actor_id;
  std::string actor;
  std::optional<OrgId> organization;  // the tenant the entry belongs to
  std::string action;
  std::string target_type;
  std::string target_id;
  boost::json::object changes;
  bool success = true;
};

// Appends `event` to the chain. REQUIRES: called inside a write transaction.
AuditId record(Tx& tx, const Clock& clock, const RequestMeta& meta, AuditEvent event);

// An event done by `p` on its tenant.
AuditEvent event_by(const Principal& p, std::string action, std::string target_type, std::string target_id);

// {"field": {"from": a, "to": b}} for one changed field.
void note_change(boost::json::object& changes, std::string_view field, const boost::json::value& from,
                 const boost::json::value& to);

struct AuditPage {
  std::vector<AuditRecord> items;
  std::optional<std::int64_t> next_before_id;
};

class AuditTrail {
 public:
  explicit AuditTrail(Store& store) : store_(store) {}
  Result<AuditPage> list(const Principal& p, AuditFilter filter);
  Result<AuditRecord> get(const Principal& p, AuditId id);
  // Walks the whole chain (no principal: an operator's command).
  Result<domain::ChainVerdict> verify();

 private:
  Store& store_;
};

}  // namespace khien::service
