#include "service/audit_trail.h"

#include <boost/json.hpp>

namespace khien::service {

AuditId record(Tx& tx, const Clock& clock, const RequestMeta& meta, AuditEvent event) {
  domain::AuditContent c;
  c.at = format_rfc3339(clock.now());
  if (event.actor_id) c.actor_id = event.actor_id->value();
  c.actor = std::move(event.actor);
  if (event.organization) c.organization_id = event.organization->value();
  c.action = std::move(event.action);
  c.target_type = std::move(event.target_type);
  c.target_id = std::move(event.target_id);
  c.changes = std::move(event.changes);
  c.address = meta.address;
  c.user_agent = meta.user_agent.substr(0, 512);
  c.outcome = event.success ? "success" : "failure";
  const auto head = tx.audit_head();
  c.prev_hash = head ? head->last_hash : std::string(domain::kAuditGenesisHash);
  const auto hash = domain::audit_hash(c);
  return tx.append_audit(c, hash);
}

AuditEvent event_by(const Principal& p, std::string action, std::string target_type, std::string target_id) {
  AuditEvent e;
  e.actor_id = p.user;
  e.actor = p.username;
  e.organization = p.tenant;
  e.action = std::move(action);
  e.target_type = std::move(target_type);
  e.target_id = std::move(target_id);
  return e;
}

void note_change(boost::json::object& changes, std::string_view field, const boost::json::value& from,
                 const boost::json::value& to) {
  changes[field] = boost::json::object{{"from", from}, {"to", to}};
}

Result<AuditPage> AuditTrail::list(const Principal& p, AuditFilter filter) {
  KHIEN_TRY(authorize(p, domain::Action::kAuditRead, Access::kRead));
  filter.organizations = {p.tenant};
  const int wanted = filter.limit;
  filter.limit = wanted + 1;
  AuditPage page;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    page.items = tx.list_audit(filter);
    return {};
  }));
  if (static_cast<int>(page.items.size()) > wanted) {
    page.items.resize(static_cast<std::size_t>(wanted));
    page.next_before_id = page.items.back().id.value();
  }
  return page;
}

Result<AuditRecord> AuditTrail::get(const Principal& p, AuditId id) {
  KHIEN_TRY(authorize(p, domain::Action::kAuditRead, Access::kRead));
  std::optional<AuditRecord> found;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    found = tx.find_audit(id);
    return {};
  }));
  if (!found || found->content.organization_id != p.tenant.value()) return Error("not_found");
  return *found;
}

Result<domain::ChainVerdict> AuditTrail::verify() {
  std::vector<domain::StoredAuditEntry> entries;
  std::optional<domain::ChainHead> head;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    head = tx.audit_head();
    tx.scan_audit([&](const AuditRecord& r) {
      entries.push_back({r.id.value(), r.content.prev_hash, r.hash, domain::audit_hash(r.content)});
    });
    return {};
  }));
  return domain::verify_chain(entries, head);
}

}  // namespace khien::service
