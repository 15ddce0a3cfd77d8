#include "service/incidents.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "domain/observable.h"
#include "service/audit_trail.h"
#include "service/organizations.h"

namespace khien::service {

namespace {

using domain::Phase;
using domain::Step;

constexpr std::size_t kMaxTitle = 300;
constexpr std::size_t kMaxText = 20000;
constexpr std::array kSources = {"staff-report", "responder", "api", "external-notice", "detection"};
constexpr std::array kTaskStatuses = {"open", "in-progress", "done", "cancelled"};

std::string reference_of(const Incident& i) { return fmt::format("{}-{:04}", i.year, i.number); }

boost::json::array json_list(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

template <class T>
boost::json::value json_opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, Timestamp>) return boost::json::value(format_rfc3339(*v));
  else return boost::json::value(*v);
}

// What the caller needs to do with an incident: read it, work on it (tasks, timeline), or act
// as its owner (classify, take steps, share, report).
enum class Need { kRead, kWork, kOwn };

struct Loaded {
  Incident incident;
  std::optional<Share> share;  // set when the caller sees it through a share
};

// An incident of the caller's own agency, or one shared with the caller's organisation for
// the part asked for. not_found when the caller may not know it exists.
Result<Loaded> load(Tx& tx, const Principal& p, IncidentId id, Need need, std::string_view part = "summary") {
  auto i = tx.find_incident(id);
  if (!i) return Error("not_found");
  if (i->organization == p.tenant) return Loaded{std::move(*i), std::nullopt};
  for (auto& s : tx.list_shares(id)) {
    if (!s.active() || s.organization != p.tenant) continue;
    if (need == Need::kOwn) return Error("forbidden");
    if (part != "summary" && std::find(s.parts.begin(), s.parts.end(), part) == s.parts.end()) return Error("forbidden");
    return Loaded{std::move(*i), std::move(s)};
  }
  return Error("not_found");
}

// The records of one part of an incident the caller may read (tasks, timeline, …), in one
// read transaction.
template <class Fetch>
auto read_part(Store& store, const Principal& p, IncidentId id, std::string_view part, Fetch fetch)
    -> Result<decltype(fetch(std::declval<Tx&>()))> {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  decltype(fetch(std::declval<Tx&>())) out;
  KHIEN_TRY(store.read([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kRead, part));
    out = fetch(tx);
    return {};
  }));
  return out;
}

bool active_member(Tx& tx, IncidentId incident, UserId user) {
  for (const auto& m : tx.list_members(incident))
    if (m.active() && m.user == user) return true;
  return false;
}

Status check_version(const Incident& i, std::int64_t version) {
  if (i.version != version) return Error("stale", fmt::format("version {} was read; it is now {}", version, i.version));
  return {};
}

bool is_technique(const std::string& t) {
  // MITRE ATT&CK technique or sub-technique: T1234 or T1234.001
  if (t.size() != 5 && t.size() != 9) return false;
  if (t[0] != 'T') return false;
  for (std::size_t k = 1; k < 5; ++k)
    if (t[k] < '0' || t[k] > '9') return false;
  if (t.size() == 5) return true;
  if (t[5] != '.') return false;
  for (std::size_t k = 6; k < 9; ++k)
    if (t[k] < '0' || t[k] > '9') return false;
  return true;
}

// The organisation whose profile applies: the nearest one that chose a profile.
std::string effective_profile(Tx& tx, OrgId org, const Catalog& catalog) {
  std::optional<OrgId> current = org;
  for (int depth = 0; current && depth < 64; ++depth) {
    auto o = tx.find_organization(*current);
    if (!o) break;
    if (o->regulatory_profile && catalog.profile(*o->regulatory_profile)) return *o->regulatory_profile;
    current = o->parent;
  }
  return catalog.profile("2017") ? "2017" : catalog.profiles.front().id;
}

domain::ApprovalState approval_state(const std::vector<Approval>& approvals, const std::string& option) {
  for (auto it = approvals.rbegin(); it != approvals.rend(); ++it) {
    if (it->response_option != option) continue;
    if (!it->decision) return domain::ApprovalState::kPending;
    return *it->decision == "approved" ? domain::ApprovalState::kApproved : domain::ApprovalState::kRejected;
  }
  return domain::ApprovalState::kNone;
}

}  // namespace

// ===== Systems =====

namespace {
Status validate_system(Tx& tx, const Principal& p, const InformationSystem& s) {
  std::vector<FieldError> errors;
  if (s.name.empty()) errors.push_back({"name", "required", {}});
  if (s.security_level && (*s.security_level < 1 || *s.security_level > 5))
    errors.push_back({"security_level", "out_of_range", "1..5"});
  if (s.owner_unit && tenant_of(tx, *s.owner_unit) != p.tenant) errors.push_back({"owner_unit_id", "not_found", {}});
  for (const auto& other : tx.list_systems(s.organization))
    if (other.name == s.name && other.id != s.id) errors.push_back({"name", "taken", {}});
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  return {};
}

void apply(InformationSystem& s, const SystemInput& in) {
  if (in.name) s.name = *in.name;
  if (in.description) s.description = *in.description;
  if (in.owner_unit) s.owner_unit = *in.owner_unit;
  if (in.operator_name) s.operator_name = *in.operator_name;
  if (in.security_level) s.security_level = *in.security_level;
  if (in.national_critical) s.national_critical = *in.national_critical;
  if (in.components) s.components = *in.components;
}

boost::json::object system_changes(const InformationSystem& s) {
  return {{"name", s.name},
          {"description", s.description},
          {"owner_unit_id", s.owner_unit ? boost::json::value(s.owner_unit->str()) : nullptr},
          {"operator", s.operator_name},
          {"security_level", json_opt(s.security_level)},
          {"national_critical", s.national_critical},
          {"components", json_list(s.components)}};
}
}  // namespace

Result<std::vector<InformationSystem>> Systems::list(const Principal& p) {
  KHIEN_TRY(authorize(p, domain::Action::kSystemRead, Access::kRead));
  std::vector<InformationSystem> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    out = tx.list_systems(p.tenant);
    return {};
  }));
  return out;
}

Result<InformationSystem> Systems::get(const Principal& p, SystemId id) {
  KHIEN_TRY(authorize(p, domain::Action::kSystemRead, Access::kRead));
  std::optional<InformationSystem> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    out = tx.find_system(id);
    return {};
  }));
  if (!out || out->organization != p.tenant) return Error("not_found");
  return *out;
}

Result<InformationSystem> Systems::create(const Principal& p, const SystemInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kSystemManage, Access::kChange));
  InformationSystem s;
  s.organization = p.tenant;
  apply(s, in);
  s.created_at = s.updated_at = clock_.now();
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    KHIEN_TRY(validate_system(tx, p, s));
    s.id = tx.insert_system(s);
    AuditEvent e = event_by(p, "system.create", "system", s.id.str());
    e.changes = system_changes(s);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return s;
}

Result<InformationSystem> Systems::update(const Principal& p, SystemId id, std::int64_t version,
                                          const SystemInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kSystemManage, Access::kChange));
  InformationSystem s;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto found = tx.find_system(id);
    if (!found || found->organization != p.tenant) return Error("not_found");
    if (found->version != version) return Error("stale");
    const auto before = system_changes(*found);
    s = *found;
    apply(s, in);
    KHIEN_TRY(validate_system(tx, p, s));
    s.version = version + 1;
    s.updated_at = clock_.now();
    if (!tx.update_system(s)) return Error("stale");
    AuditEvent e = event_by(p, "system.update", "system", s.id.str());
    const auto after = system_changes(s);
    for (const auto& [k, v] : after)
      if (before.at(k) != v) note_change(e.changes, k, before.at(k), v);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return s;
}

// ===== Incidents =====

Status Incidents::validate(Tx& tx, const Principal& p, const Incident& i) {
  const auto& tax = catalog_.taxonomy;
  const auto* profile = catalog_.profile(i.profile);
  std::vector<FieldError> errors;
  if (i.title.empty()) errors.push_back({"title", "required", {}});
  if (i.title.size() > kMaxTitle) errors.push_back({"title", "too_long", std::to_string(kMaxTitle)});
  for (const auto* text : {&i.description, &i.response_option, &i.root_cause, &i.lessons_learned, &i.attack_origin,
                           &i.serious_override_reason})
    if (text->size() > kMaxText) errors.push_back({"description", "too_long", std::to_string(kMaxText)});
  if (std::find(kSources.begin(), kSources.end(), i.source) == kSources.end())
    errors.push_back({"source", "enum", {}});
  if (i.scenario && !tax.scenario(*i.scenario)) errors.push_back({"scenario", "not_found", *i.scenario});
  if (i.cause_class && !tax.has_cause_class(*i.cause_class)) errors.push_back({"cause_class", "not_found", *i.cause_class});
  if (i.severity && !tax.has_severity(*i.severity)) errors.push_back({"severity", "not_found", *i.severity});
  if (!tax.has_tlp(i.tlp)) errors.push_back({"tlp", "not_found", i.tlp});
  for (const auto& impact : i.impacts)
    if (!profile->has_impact(impact)) errors.push_back({"impacts", "not_found", impact});
  if (i.occurred_at && *i.occurred_at > i.detected_at) errors.push_back({"occurred_at", "after_detection", {}});
  if (i.detected_at > clock_.now() + std::chrono::minutes(5)) errors.push_back({"detected_at", "in_future", {}});
  if (i.serious_override && i.serious_override_reason.empty())
    errors.push_back({"serious_override_reason", "required", {}});
  for (SystemId sid : i.systems) {
    auto s = tx.find_system(sid);
    if (!s || s->organization != p.tenant) errors.push_back({"system_ids", "not_found", sid.str()});
  }
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  return {};
}

void Incidents::derive(Tx& tx, Incident& i) {
  const auto* profile = catalog_.profile(i.profile);
  domain::SeriousFacts facts;
  for (SystemId sid : i.systems)
    if (auto s = tx.find_system(sid)) facts.systems.push_back({s->name, s->security_level.value_or(0), s->national_critical});
  facts.impacts = i.impacts;
  facts.beyond_capacity = i.beyond_capacity;
  const bool serious = i.serious_override.value_or(domain::assess_serious(*profile, facts).serious);
  const Timestamp now = clock_.now();
  if (serious && !i.serious) i.serious_at = now;
  i.serious = serious;
  if (i.beyond_capacity && !i.beyond_capacity_at) i.beyond_capacity_at = now;
  if (!i.beyond_capacity) i.beyond_capacity_at.reset();
}

IncidentView Incidents::view(Tx& tx, const Principal& p, Incident i, std::optional<Share> share) {
  IncidentView v;
  v.shared_with_caller = std::move(share);
  if (auto org = tx.find_organization(i.organization)) v.organization_name = org->name;
  const auto* profile = catalog_.profile(i.profile);
  v.reference = reference_of(i);
  domain::SeriousFacts facts;
  for (SystemId sid : i.systems) {
    if (auto s = tx.find_system(sid)) {
      facts.systems.push_back({s->name, s->security_level.value_or(0), s->national_critical});
      v.systems.push_back(std::move(*s));
    }
  }
  facts.impacts = i.impacts;
  facts.beyond_capacity = i.beyond_capacity;
  v.assessment = domain::assess_serious(*profile, facts);
  v.approval = approval_state(tx.list_approvals(i.id), i.response_option);
  v.approval_needed = i.approval_required || (profile->approval_required_when_serious && i.serious);

  std::vector<domain::Submission> sent;
  for (const auto& s : tx.list_submissions(i.id)) sent.push_back({s.obligation, s.sent_at});
  const domain::IncidentConditions conditions{i.serious, i.beyond_capacity, i.personal_data_breach, i.national_security};
  const domain::IncidentMoments moments{i.detected_at, i.beyond_capacity_at, i.serious ? i.serious_at : std::nullopt,
                                        i.response_ended_at};
  const auto tree = load_tree(tx);
  const auto nearest = [&](domain::OrgKind kind) -> std::optional<Organization> {
    for (OrgId a : tree.ancestors(i.organization))
      if (const auto* n = tree.find(a); n && n->kind == kind) return tx.find_organization(a);
    return std::nullopt;
  };
  for (auto& o : domain::derive_obligations(*profile, conditions, moments, sent, clock_.now())) {
    ObligationView ov{o, {}};
    for (const auto& rid : o.rule->recipients) {
      ResolvedRecipient r{rid, profile->recipient(rid), std::nullopt};
      switch (r.rule->resolve) {
        case domain::RecipientResolution::kAgency: r.organization = tx.find_organization(i.organization); break;
        case domain::RecipientResolution::kCoordinator: r.organization = nearest(domain::OrgKind::kCoordinator); break;
        case domain::RecipientResolution::kNational: r.organization = nearest(domain::OrgKind::kNational); break;
        case domain::RecipientResolution::kExternal: break;
      }
      ov.recipients.push_back(std::move(r));
    }
    v.obligations.push_back(std::move(ov));
  }

  const bool worker = domain::permits(p.role, domain::Action::kIncidentManage) && !p.read_only;
  v.can_change = i.organization == p.tenant && worker;
  v.can_work = worker && (v.can_change || v.shared_with_caller.has_value());
  if (v.can_change && !i.merged_into) v.steps = domain::steps_from(i.phase, p.role);
  std::vector<std::pair<Phase, Timestamp>> moves;
  for (const auto& t : tx.list_transitions(i.id)) moves.emplace_back(t.to, t.at);
  v.phase_reached = domain::phase_times(i.detected_at, i.created_at, moves);
  v.incident = std::move(i);
  return v;
}

void Incidents::add_entry(Tx& tx, const Principal& p, const Incident& i, std::string kind, std::string text,
                          std::optional<Timestamp> happened_at) {
  TimelineEntry e;
  e.incident = i.id;
  e.organization = p.tenant;
  e.recorded_at = clock_.now();
  e.happened_at = happened_at.value_or(e.recorded_at);
  e.kind = std::move(kind);
  e.source = "khien";
  e.text = std::move(text);
  e.actor = p.user;
  tx.insert_timeline(e);
}

void Incidents::create_playbook_tasks(Tx& tx, const Principal& p, const Incident& i) {
  if (!i.scenario) return;
  const auto* playbook = catalog_.playbook(*i.scenario);
  if (!playbook) return;
  std::set<std::string> existing;
  for (const auto& t : tx.list_tasks(i.id))
    if (t.playbook_step) existing.insert(*t.playbook_step);
  const Timestamp now = clock_.now();
  for (Phase phase : domain::task_phases_for(i.phase)) {
    for (const auto& step : playbook->steps(phase)) {
      const std::string key = *i.scenario + "/" + step.id;
      if (existing.count(key)) continue;
      Task t;
      t.incident = i.id;
      t.organization = i.organization;
      t.phase = phase;
      // Tasks are written in the language of the agency's plan (Vietnamese); the playbook keeps both.
      t.title = step.title.vi;
      t.detail = step.detail.vi;
      t.playbook_step = key;
      t.responsible = step.responsible;
      t.coordinating = step.coordinating;
      t.due_at = now + std::chrono::hours(step.due_hours);
      t.created_by = p.user;
      t.created_at = t.updated_at = now;
      tx.insert_task(t);
    }
  }
}

Result<IncidentView> Incidents::open(const Principal& p, IncidentInput in, const RequestMeta& meta) {
  std::optional<IncidentView> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    const Timestamp now = clock_.now();
    Incident i;
    i.organization = p.tenant;
    i.profile = effective_profile(tx, p.tenant, catalog_);
    i.year = domain::local_year(*catalog_.profile(i.profile), now);
    i.number = tx.next_incident_number(i.organization, i.year);
    i.title = std::move(in.title);
    i.description = std::move(in.description);
    i.source = std::move(in.source);
    i.reporter = p.user;
    i.reporter_contact = std::move(in.reporter_contact);
    i.external_organization = std::move(in.external_organization);
    i.external_reference = std::move(in.external_reference);
    i.external_date = std::move(in.external_date);
    i.detected_at = in.detected_at.value_or(now);
    i.occurred_at = in.occurred_at;
    i.scenario = std::move(in.scenario);
    i.severity = std::move(in.severity);
    if (i.scenario)
      if (const auto* s = catalog_.taxonomy.scenario(*i.scenario))
        if (const auto* g = catalog_.taxonomy.group(s->group)) i.cause_class = g->cause;
    if (in.tlp) i.tlp = *in.tlp;
    i.systems = std::move(in.systems);
    i.is_drill = in.is_drill;
    i.created_by = p.user;
    i.created_at = i.updated_at = now;
    KHIEN_TRY(validate(tx, p, i));
    derive(tx, i);
    i.id = tx.insert_incident(i);
    create_playbook_tasks(tx, p, i);
    add_entry(tx, p, i, "intake", fmt::format("{} ({})", i.title, i.source), i.detected_at);

    AuditEvent e = event_by(p, "incident.create", "incident", i.id.str());
    e.changes = {{"reference", reference_of(i)}, {"title", i.title}, {"source", i.source},
                 {"detected_at", format_rfc3339(i.detected_at)}, {"scenario", json_opt(i.scenario)},
                 {"severity", json_opt(i.severity)}, {"is_drill", i.is_drill}, {"profile", i.profile}};
    record(tx, clock_, meta, std::move(e));
    out = view(tx, p, std::move(i));
    return {};
  }));
  return std::move(*out);
}

Result<IncidentView> Incidents::report(const Principal& p, IncidentInput in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentReport, Access::kChange));
  // A staff report says what was seen; classification is the responders' work.
  IncidentInput r;
  r.title = std::move(in.title);
  r.description = std::move(in.description);
  r.detected_at = in.detected_at;
  r.occurred_at = in.occurred_at;
  r.reporter_contact = std::move(in.reporter_contact);
  r.source = "staff-report";
  return open(p, std::move(r), meta);
}

Result<IncidentView> Incidents::create(const Principal& p, IncidentInput in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  if (in.source == "staff-report") in.source = "responder";
  if (p.via_token && in.source == "responder") in.source = "api";
  return open(p, std::move(in), meta);
}

Result<IncidentPage> Incidents::list(const Principal& p, IncidentQuery q) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  IncidentPage page;
  const int wanted = q.filter.limit;
  q.filter.organizations = {p.tenant};
  q.filter.limit = wanted + 1;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    q.filter.also = tx.shared_with(p.tenant);
    auto rows = tx.list_incidents(q.filter);
    if (static_cast<int>(rows.size()) > wanted) {
      rows.resize(static_cast<std::size_t>(wanted));
      const auto& last = rows.back();
      const bool by_detection = q.filter.sort.ends_with("detected_at");
      page.next_cursor = fmt::format("{}.{}", to_unix_ms(by_detection ? last.detected_at : last.created_at),
                                     last.id.value());
    }
    for (auto& i : rows) {
      std::optional<Share> share;
      if (i.organization != p.tenant)
        for (auto& sh : tx.list_shares(i.id))
          if (sh.active() && sh.organization == p.tenant) share = std::move(sh);
      page.items.push_back(view(tx, p, std::move(i), std::move(share)));
    }
    return {};
  }));
  return page;
}

Result<IncidentView> Incidents::get(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::optional<IncidentView> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kRead);
    if (!a) return a.error();
    out = view(tx, p, std::move(a->incident), std::move(a->share));
    return {};
  }));
  return std::move(*out);
}

namespace {
boost::json::object facts_of(const Incident& i) {
  boost::json::array systems;
  for (SystemId s : i.systems) systems.emplace_back(s.str());
  return {{"title", i.title},
          {"description", i.description},
          {"detected_at", format_rfc3339(i.detected_at)},
          {"occurred_at", json_opt(i.occurred_at)},
          {"scenario", json_opt(i.scenario)},
          {"cause_class", json_opt(i.cause_class)},
          {"severity", json_opt(i.severity)},
          {"tlp", i.tlp},
          {"impacts", json_list(i.impacts)},
          {"system_ids", systems},
          {"beyond_capacity", i.beyond_capacity},
          {"personal_data_breach", i.personal_data_breach},
          {"national_security", i.national_security},
          {"serious", i.serious},
          {"serious_override", json_opt(i.serious_override)},
          {"serious_override_reason", i.serious_override_reason},
          {"approval_required", i.approval_required},
          {"response_option", i.response_option},
          {"root_cause", i.root_cause},
          {"lessons_learned", i.lessons_learned},
          {"attack_origin", i.attack_origin},
          {"spokesperson_id", i.spokesperson ? boost::json::value(i.spokesperson->str()) : nullptr}};
}
}  // namespace

Result<IncidentView> Incidents::update(const Principal& p, IncidentId id, std::int64_t version,
                                       const IncidentChanges& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  std::optional<IncidentView> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto found = load(tx, p, id, Need::kOwn);
    if (!found) return found.error();
    Incident i = std::move(found->incident);
    KHIEN_TRY(check_version(i, version));
    if (!domain::is_open(i.phase) && i.phase != Phase::kClosing) return Error("incident_closed");
    const auto before = facts_of(i);
    const auto old_scenario = i.scenario;
    if (in.title) i.title = *in.title;
    if (in.description) i.description = *in.description;
    if (in.detected_at) i.detected_at = *in.detected_at;
    if (in.occurred_at) i.occurred_at = *in.occurred_at;
    if (in.scenario) i.scenario = *in.scenario;
    if (in.cause_class) i.cause_class = *in.cause_class;
    if (in.severity) i.severity = *in.severity;
    if (in.tlp) i.tlp = *in.tlp;
    if (in.impacts) i.impacts = *in.impacts;
    if (in.systems) i.systems = *in.systems;
    if (in.beyond_capacity) i.beyond_capacity = *in.beyond_capacity;
    if (in.personal_data_breach) i.personal_data_breach = *in.personal_data_breach;
    if (in.national_security) i.national_security = *in.national_security;
    if (in.serious_override) i.serious_override = *in.serious_override;
    if (in.serious_override_reason) i.serious_override_reason = *in.serious_override_reason;
    if (!i.serious_override) i.serious_override_reason.clear();
    if (in.approval_required) i.approval_required = *in.approval_required;
    if (in.response_option) i.response_option = *in.response_option;
    if (in.root_cause) i.root_cause = *in.root_cause;
    if (in.lessons_learned) i.lessons_learned = *in.lessons_learned;
    if (in.attack_origin) i.attack_origin = *in.attack_origin;
    if (in.spokesperson) {
      if (*in.spokesperson) {
        auto u = tx.find_user(**in.spokesperson);
        if (!u || tenant_of(tx, u->organization) != p.tenant) return validation_error("spokesperson_id", "not_found");
      }
      i.spokesperson = *in.spokesperson;
    }
    // A scenario chosen without a cause class takes its group's.
    if (i.scenario && i.scenario != old_scenario && !i.cause_class)
      if (const auto* s = catalog_.taxonomy.scenario(*i.scenario))
        if (const auto* g = catalog_.taxonomy.group(s->group)) i.cause_class = g->cause;
    KHIEN_TRY(validate(tx, p, i));
    derive(tx, i);
    i.version = version + 1;
    i.updated_at = clock_.now();
    if (!tx.update_incident(i)) return Error("stale");

    AuditEvent e = event_by(p, "incident.update", "incident", i.id.str());
    const auto after = facts_of(i);
    for (const auto& [k, v] : after)
      if (before.at(k) != v) note_change(e.changes, k, before.at(k), v);
    if (before.at("serious") != after.at("serious"))
      add_entry(tx, p, i, "classification", i.serious ? "serious" : "not-serious");
    if (i.scenario != old_scenario) {
      create_playbook_tasks(tx, p, i);
      add_entry(tx, p, i, "classification", "scenario:" + i.scenario.value_or(""));
    }
    record(tx, clock_, meta, std::move(e));
    out = view(tx, p, std::move(i));
    return {};
  }));
  return std::move(*out);
}

Result<IncidentView> Incidents::take_step(const Principal& p, IncidentId id, std::int64_t version,
                                          const StepInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  std::optional<IncidentView> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto found = load(tx, p, id, Need::kOwn);
    if (!found) return found.error();
    Incident i = std::move(found->incident);
    KHIEN_TRY(check_version(i, version));
    if (i.merged_into) return Error("incident_merged");
    const Phase from = i.phase;
    if (in.step == Step::kChooseResponse && in.response_option) i.response_option = *in.response_option;
    if (in.reason.size() > kMaxText) return validation_error("reason", "too_long", std::to_string(kMaxText));
    if (i.response_option.size() > kMaxText) return validation_error("response_option", "too_long");

    const auto* profile = catalog_.profile(i.profile);
    const auto approvals = tx.list_approvals(i.id);
    domain::IncidentFacts facts;
    facts.has_scenario = i.scenario.has_value();
    facts.has_severity = i.severity.has_value();
    facts.has_response_option = !i.response_option.empty();
    facts.approval_required = i.approval_required || (profile->approval_required_when_serious && i.serious);
    facts.approval = approval_state(approvals, i.response_option);
    facts.has_cause_class = i.cause_class.has_value();
    facts.has_root_cause = !i.root_cause.empty();
    facts.has_lessons_learned = !i.lessons_learned.empty();
    auto to = domain::take(in.step, from, p.role, facts, !in.reason.empty());
    if (!to) return to.error();

    const Timestamp now = clock_.now();
    std::optional<Approval> approval;
    switch (in.step) {
      case Step::kRequestApproval: {
        if (in.approver_kind != "director" && in.approver_kind != "steering-committee")
          return validation_error("approver_kind", "enum");
        Approval a;
        a.incident = i.id;
        a.response_option = i.response_option;
        a.approver_kind = in.approver_kind;
        if (in.approver_kind == "steering-committee") {
          if (!in.approver_organization) return validation_error("approver_organization_id", "required");
          if (!load_tree(tx).org_visible(p.organization, *in.approver_organization))
            return validation_error("approver_organization_id", "not_found");
          a.approver_organization = in.approver_organization;
        }
        a.request_note = in.reason;
        a.requested_by = p.user;
        a.requested_at = now;
        a.id = tx.insert_approval(a);
        approval = a;
        break;
      }
      case Step::kStartContainment:
        if (!i.contained_at) i.contained_at = now;
        break;
      case Step::kNotStable: ++i.loop_count; break;
      case Step::kStable: i.response_ended_at = now; break;
      case Step::kClose: i.closed_at = now; break;
      case Step::kReopen:
        i.closed_at.reset();
        if (*to == Phase::kContainment) i.response_ended_at.reset();
        break;
      default: break;
    }
    i.phase = *to;
    i.version = version + 1;
    i.updated_at = now;
    if (!tx.update_incident(i)) return Error("stale");
    TransitionRecord t;
    t.incident = i.id;
    t.step = std::string(domain::step_name(in.step));
    t.from = from;
    t.to = *to;
    t.reason = in.reason;
    t.actor = p.user;
    t.at = now;
    tx.insert_transition(t);
    add_entry(tx, p, i, "transition",
              fmt::format("{}: {} → {}{}{}", t.step, domain::phase_name(from), domain::phase_name(*to),
                          in.reason.empty() ? "" : " — ", in.reason));
    create_playbook_tasks(tx, p, i);

    AuditEvent e = event_by(p, "incident.transition", "incident", i.id.str());
    e.changes = {{"step", t.step}, {"from", domain::phase_name(from)}, {"to", domain::phase_name(*to)},
                 {"reason", in.reason}};
    if (in.step == Step::kChooseResponse) e.changes["response_option"] = i.response_option;
    if (approval) {
      e.changes["approval_id"] = approval->id.str();
      e.changes["approver_kind"] = approval->approver_kind;
    }
    record(tx, clock_, meta, std::move(e));
    out = view(tx, p, std::move(i));
    return {};
  }));
  return std::move(*out);
}

Result<std::vector<TransitionRecord>> Incidents::history(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) { return tx.list_transitions(id); });
}

// ---- approvals ----

Result<std::vector<Approval>> Incidents::approvals(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) { return tx.list_approvals(id); });
}

Result<Approval> Incidents::decide(const Principal& p, IncidentId id, ApprovalId approval_id, const DecisionInput& in,
                                   const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kChange));
  if (in.decision != "approved" && in.decision != "rejected") return validation_error("decision", "enum");
  std::optional<Approval> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto found = tx.find_incident(id);
    if (!found) return Error("not_found");
    Incident i = std::move(*found);
    auto approvals = tx.list_approvals(id);
    auto it = std::find_if(approvals.begin(), approvals.end(), [&](const Approval& a) { return a.id == approval_id; });
    const bool own = i.organization == p.tenant;
    const bool committee = it != approvals.end() && it->approver_organization &&
                           tenant_of(tx, p.organization) == *it->approver_organization;
    if ((!own && !committee) || it == approvals.end()) return Error("not_found");
    Approval a = *it;
    // The director decides what is put to the director; a committee's members decide for the
    // committee, and the agency's security officer may record a committee's written direction.
    bool may = false;
    if (a.approver_kind == "director") may = own && p.role == domain::Role::kDirector;
    else
      may = (committee && (p.role == domain::Role::kDirector || p.role == domain::Role::kAdministrator ||
                           p.role == domain::Role::kSecurityOfficer)) ||
            (own && (p.role == domain::Role::kSecurityOfficer || p.role == domain::Role::kAdministrator) &&
             !in.document_reference.empty());
    if (!may) {
      if (a.approver_kind != "director" && own && !in.document_reference.empty()) return Error("forbidden");
      if (a.approver_kind != "director" && own) return validation_error("document_reference", "required");
      return Error("forbidden");
    }
    if (a.decision) return Error("approval_decided");
    const Timestamp now = clock_.now();
    a.decision = in.decision;
    a.comment = in.comment;
    a.decider_name = in.decider_name.empty() ? p.username : in.decider_name;
    a.document_reference = in.document_reference;
    a.decided_by = p.user;
    a.decided_at = now;
    tx.update_approval(a);
    if (i.phase == Phase::kAwaitingApproval && a.response_option == i.response_option) {
      const Phase to = *domain::target_of(Step::kDecide, i.phase);
      TransitionRecord t{0, i.id, std::string(domain::step_name(Step::kDecide)), i.phase, to,
                         in.decision + (in.comment.empty() ? "" : ": " + in.comment), p.user, {}, now};
      i.phase = to;
      i.version += 1;
      i.updated_at = now;
      if (!tx.update_incident(i)) return Error("stale");
      tx.insert_transition(t);
    }
    Principal recorder = p;
    recorder.tenant = i.organization;  // the entry belongs to the incident's agency
    add_entry(tx, recorder, i, "approval",
              fmt::format("{} ({}): {}{}{}", a.decision.value_or(""), a.decider_name, a.response_option,
                          a.comment.empty() ? "" : " — ", a.comment));
    AuditEvent e = event_by(p, "incident.approval.decide", "approval", a.id.str());
    e.organization = i.organization;
    e.changes = {{"incident_id", i.id.str()}, {"decision", in.decision}, {"comment", in.comment},
                 {"decider_name", a.decider_name}, {"document_reference", a.document_reference}};
    record(tx, clock_, meta, std::move(e));
    out = a;
    return {};
  }));
  return *out;
}

// ---- tasks ----

Result<std::vector<Task>> Incidents::tasks(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "tasks", [&](Tx& tx) { return tx.list_tasks(id); });
}

namespace {
Status apply_task(Tx& tx, const Principal& p, Task& t, const TaskInput& in, Timestamp now) {
  std::vector<FieldError> errors;
  if (in.title) t.title = *in.title;
  if (in.detail) t.detail = *in.detail;
  if (in.phase) t.phase = *in.phase;
  if (in.assignee) t.assignee = *in.assignee;
  if (in.due_at) t.due_at = *in.due_at;
  if (in.notes) t.notes = *in.notes;
  if (in.status) {
    if (std::find(kTaskStatuses.begin(), kTaskStatuses.end(), *in.status) == kTaskStatuses.end())
      errors.push_back({"status", "enum", {}});
    if (*in.status == "done" && t.status != "done") t.completed_at = now;
    if (*in.status != "done") t.completed_at.reset();
    t.status = *in.status;
  }
  if (t.title.empty()) errors.push_back({"title", "required", {}});
  if (t.title.size() > kMaxTitle) errors.push_back({"title", "too_long", std::to_string(kMaxTitle)});
  if (t.detail.size() > kMaxText || t.notes.size() > kMaxText) errors.push_back({"notes", "too_long", {}});
  if (t.assignee) {
    auto u = tx.find_user(*t.assignee);
    if (!u || (tenant_of(tx, u->organization) != p.tenant && !active_member(tx, t.incident, *t.assignee)))
      errors.push_back({"assignee_id", "not_found", {}});
  }
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  return {};
}

boost::json::object task_facts(const Task& t) {
  return {{"title", t.title},
          {"phase", domain::phase_name(t.phase)},
          {"assignee_id", t.assignee ? boost::json::value(t.assignee->str()) : nullptr},
          {"due_at", json_opt(t.due_at)},
          {"status", t.status},
          {"notes", t.notes}};
}
}  // namespace

Result<Task> Incidents::add_task(const Principal& p, IncidentId id, const TaskInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  Task t;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "tasks");
    if (!a) return a.error();
    const Timestamp now = clock_.now();
    t.incident = id;
    t.organization = p.tenant;
    t.phase = a->incident.phase;
    t.created_by = p.user;
    t.created_at = t.updated_at = now;
    KHIEN_TRY(apply_task(tx, p, t, in, now));
    t.id = tx.insert_task(t);
    AuditEvent e = event_by(p, "incident.task.create", "task", t.id.str());
    e.changes = task_facts(t);
    e.changes["incident_id"] = id.str();
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return t;
}

Result<Task> Incidents::update_task(const Principal& p, IncidentId id, TaskId task_id, std::int64_t version,
                                    const TaskInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  Task t;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "tasks");
    if (!a) return a.error();
    auto found = tx.find_task(task_id);
    if (!found || found->incident != id) return Error("not_found");
    if (a->share && found->organization != p.tenant) return Error("forbidden");  // a coordinator changes its own tasks
    if (found->version != version) return Error("stale");
    t = std::move(*found);
    const auto before = task_facts(t);
    const Timestamp now = clock_.now();
    KHIEN_TRY(apply_task(tx, p, t, in, now));
    t.version = version + 1;
    t.updated_at = now;
    if (!tx.update_task(t)) return Error("stale");
    AuditEvent e = event_by(p, "incident.task.update", "task", t.id.str());
    const auto after = task_facts(t);
    for (const auto& [k, v] : after)
      if (before.at(k) != v) note_change(e.changes, k, before.at(k), v);
    e.changes["incident_id"] = id.str();
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return t;
}

// ---- timeline ----

Result<std::vector<TimelineEntry>> Incidents::timeline(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "timeline", [&](Tx& tx) { return tx.list_timeline(id); });
}

Result<TimelineEntry> Incidents::add_timeline(const Principal& p, IncidentId id, const TimelineInput& in,
                                              const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  std::vector<FieldError> errors;
  if (in.text.empty()) errors.push_back({"text", "required", {}});
  if (in.text.size() > kMaxText) errors.push_back({"text", "too_long", std::to_string(kMaxText)});
  for (const auto& t : in.techniques)
    if (!is_technique(t)) errors.push_back({"techniques", "pattern", t});
  if (in.happened_at > clock_.now() + std::chrono::minutes(5)) errors.push_back({"happened_at", "in_future", {}});
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  TimelineEntry e;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kWork, "timeline"));
    e.incident = id;
    e.organization = p.tenant;
    e.happened_at = in.happened_at;
    e.recorded_at = clock_.now();
    e.kind = "manual";
    e.source = in.source;
    e.text = in.text;
    e.techniques = in.techniques;
    e.actor = p.user;
    e.actor_name = p.username;
    e.id = tx.insert_timeline(e);
    AuditEvent a = event_by(p, "incident.timeline.create", "timeline", e.id.str());
    a.changes = {{"incident_id", id.str()}, {"happened_at", format_rfc3339(e.happened_at)}, {"text", e.text},
                 {"source", e.source}, {"techniques", json_list(e.techniques)}};
    record(tx, clock_, meta, std::move(a));
    return {};
  }));
  return e;
}

// ---- report submissions ----

Result<std::vector<ReportSubmission>> Incidents::submissions(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) { return tx.list_submissions(id); });
}

Result<ReportSubmission> Incidents::record_submission(const Principal& p, IncidentId id, const SubmissionInput& in,
                                                      const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  ReportSubmission r;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    const Incident* i = &a->incident;
    const auto* profile = catalog_.profile(i->profile);
    std::vector<FieldError> errors;
    if (!profile->obligation(in.obligation)) errors.push_back({"obligation", "not_found", in.obligation});
    if (in.channel.empty()) errors.push_back({"channel", "required", {}});
    if (in.recipients.empty()) errors.push_back({"recipients", "required", {}});
    const Timestamp now = clock_.now();
    if (in.sent_at && *in.sent_at > now + std::chrono::minutes(5)) errors.push_back({"sent_at", "in_future", {}});
    if (in.sent_at && *in.sent_at < i->detected_at) errors.push_back({"sent_at", "before_detection", {}});
    if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
    r.incident = id;
    r.obligation = in.obligation;
    r.channel = in.channel;
    r.recipients = in.recipients;
    r.reference = in.reference;
    r.sent_at = in.sent_at.value_or(now);
    r.note = in.note;
    r.recorded_by = p.user;
    r.recorded_at = now;
    r.id = tx.insert_submission(r);
    add_entry(tx, p, *i, "report", fmt::format("{} — {} ({})", profile->obligation(in.obligation)->name.vi, in.channel,
                                              in.reference), r.sent_at);
    AuditEvent e = event_by(p, "incident.report.record", "submission", r.id.str());
    e.changes = {{"incident_id", id.str()}, {"obligation", r.obligation}, {"channel", r.channel},
                 {"recipients", json_list(r.recipients)}, {"reference", r.reference},
                 {"sent_at", format_rfc3339(r.sent_at)}};
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return r;
}

// ---- sharing ----

namespace {
constexpr std::array kShareParts = {"tasks", "timeline", "observables", "evidence"};

boost::json::object share_facts(const Share& s) {
  boost::json::array parts;
  for (const auto& x : s.parts) parts.emplace_back(x);
  return {{"incident_id", s.incident.str()}, {"organization_id", s.organization.str()}, {"parts", parts}, {"purpose", s.purpose}};
}

boost::json::object member_facts(const IncidentMember& m) {
  return {{"incident_id", m.incident.str()}, {"user_id", m.user.str()}, {"organization_id", m.organization.str()},
          {"role", m.role}};
}

boost::json::object support_facts(const SupportRequest& r) {
  return {{"incident_id", r.incident.str()}, {"organization_id", r.organization.str()}, {"kinds", json_list(r.kinds)},
          {"detail", r.detail},           {"status", r.status},                          {"response", r.response}};
}

// Organisations an agency may share with: the coordinators and national organisations of the
// response network, and its own ancestors.
bool share_target(const domain::OrgTree& tree, const Principal& p, const Organization& o) {
  if (o.id == p.tenant) return false;
  if (o.kind == domain::OrgKind::kCoordinator || o.kind == domain::OrgKind::kNational) return true;
  const auto ancestors = tree.ancestors(p.tenant);
  return std::find(ancestors.begin(), ancestors.end(), o.id) != ancestors.end();
}
}  // namespace

Result<std::vector<Organization>> Incidents::share_targets(const Principal& p) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentShare, Access::kRead));
  std::vector<Organization> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    const auto tree = load_tree(tx);
    for (auto& o : tx.list_organizations())
      if (share_target(tree, p, o)) out.push_back(std::move(o));
    return {};
  }));
  return out;
}

Result<std::vector<Share>> Incidents::shares(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<Share> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kRead);
    if (!a) return a.error();
    for (auto& s : tx.list_shares(id))
      if (!a->share || s.organization == p.tenant) out.push_back(std::move(s));  // a recipient sees its own share
    return {};
  }));
  return out;
}

Result<Share> Incidents::grant(Tx& tx, const Principal& p, const Incident& incident, const ShareInput& in,
                               const RequestMeta& meta) {
  std::vector<FieldError> errors;
  auto org = tx.find_organization(in.organization);
  if (!org || !share_target(load_tree(tx), p, *org)) errors.push_back({"organization_id", "not_found", {}});
  for (const auto& part : in.parts)
    if (std::find(kShareParts.begin(), kShareParts.end(), part) == kShareParts.end())
      errors.push_back({"parts", "enum", "tasks, timeline, observables, evidence"});
  for (const auto& existing : tx.list_shares(incident.id))
    if (existing.active() && existing.organization == in.organization) errors.push_back({"organization_id", "taken", {}});
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  Share s;
  s.incident = incident.id;
  s.organization = in.organization;
  s.parts = in.parts;
  s.purpose = in.purpose;
  s.granted_by = p.user;
  s.granted_at = clock_.now();
  s.id = tx.insert_share(s);
  add_entry(tx, p, incident, "share", fmt::format("→ {}{}{}", org->name, s.purpose.empty() ? "" : ": ", s.purpose));
  AuditEvent e = event_by(p, "incident.share", "share", s.id.str());
  e.changes = share_facts(s);
  record(tx, clock_, meta, std::move(e));
  return s;
}

Result<Share> Incidents::share(const Principal& p, IncidentId id, const ShareInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentShare, Access::kChange));
  Share s;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    auto granted = grant(tx, p, a->incident, in, meta);
    if (!granted) return granted.error();
    s = std::move(*granted);
    return {};
  }));
  return s;
}

Result<Share> Incidents::revoke_share(const Principal& p, IncidentId id, ShareId share_id, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentShare, Access::kChange));
  Share s;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    auto shares = tx.list_shares(id);
    auto it = std::find_if(shares.begin(), shares.end(), [&](const Share& x) { return x.id == share_id; });
    if (it == shares.end()) return Error("not_found");
    if (!it->active()) return Error("conflict", "already revoked");
    s = *it;
    s.revoked_by = p.user;
    s.revoked_at = clock_.now();
    tx.revoke_share(s);
    const Timestamp now = *s.revoked_at;
    for (auto m : tx.list_members(id)) {
      if (!m.active() || m.organization != s.organization) continue;
      m.removed_by = p.user;
      m.removed_at = now;
      tx.remove_member(m);
      AuditEvent e = event_by(p, "incident.member.remove", "member", m.id.str());
      e.changes = member_facts(m);
      record(tx, clock_, meta, std::move(e));
    }
    for (auto r : tx.list_support_requests(id)) {
      if (r.organization != s.organization || (r.status != "requested" && r.status != "accepted")) continue;
      r.status = "withdrawn";
      r.responded_by = p.user;
      r.responded_at = now;
      tx.update_support_request(r);
      AuditEvent e = event_by(p, "incident.support.answer", "support_request", r.id.str());
      e.changes = support_facts(r);
      record(tx, clock_, meta, std::move(e));
    }
    const auto org = tx.find_organization(s.organization);
    add_entry(tx, p, a->incident, "share", fmt::format("✕ {}", org ? org->name : s.organization.str()));
    AuditEvent e = event_by(p, "incident.share.revoke", "share", s.id.str());
    e.changes = share_facts(s);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return s;
}

// ---- the team: members from the agency and from the organisations it shares with ----

namespace {
constexpr std::array kMemberRoles = {"lead", "responder", "expert", "liaison", "observer"};
constexpr std::array kSupportKinds = {"expert", "forensics", "malware-analysis", "recovery", "coordination", "legal"};

// The agencies whose people may join the incident's team: its own and those it is shared with.
std::vector<OrgId> team_tenants(Tx& tx, const Incident& i) {
  std::vector<OrgId> out{i.organization};
  for (const auto& s : tx.list_shares(i.id))
    if (s.active() && std::find(out.begin(), out.end(), s.organization) == out.end()) out.push_back(s.organization);
  return out;
}

// Who did something and for which organisation, by name: people of other organisations are
// not otherwise visible to the caller.
std::pair<std::string, std::string> names_of(Tx& tx, std::optional<UserId> user, OrgId organization) {
  std::pair<std::string, std::string> out;
  if (user)
    if (auto u = tx.find_user(*user)) out.first = u->display_name;
  if (auto o = tx.find_organization(organization)) out.second = o->name;
  return out;
}

MemberView member_view(Tx& tx, IncidentMember m) {
  auto [person, organization] = names_of(tx, m.user, m.organization);
  return {std::move(m), std::move(person), std::move(organization)};
}

}  // namespace

Result<std::vector<MemberView>> Incidents::members(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) {
    std::vector<MemberView> out;
    for (auto& m : tx.list_members(id)) out.push_back(member_view(tx, std::move(m)));
    return out;
  });
}

Result<std::vector<MemberCandidate>> Incidents::member_candidates(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  std::vector<MemberCandidate> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    const auto tree = load_tree(tx);
    const auto tenants = team_tenants(tx, a->incident);
    UserFilter filter;
    for (const auto& o : tx.list_organizations())
      if (std::find(tenants.begin(), tenants.end(), tree.tenant_of(o.id)) != tenants.end())
        filter.organizations.push_back(o.id);
    filter.include_disabled = false;
    filter.limit = 1000;
    for (auto& u : tx.list_users(filter)) {
      if (!domain::permits(u.role, domain::Action::kIncidentRead) || active_member(tx, id, u.id)) continue;
      const OrgId tenant = tree.tenant_of(u.organization);
      const auto org = tx.find_organization(tenant);
      out.push_back({u.id, u.display_name, tenant, org ? org->name : std::string()});
    }
    return {};
  }));
  return out;
}

Result<MemberView> Incidents::add_member(const Principal& p, IncidentId id, const MemberInput& in,
                                         const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  MemberView v;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    std::vector<FieldError> errors;
    if (std::find(kMemberRoles.begin(), kMemberRoles.end(), in.role) == kMemberRoles.end())
      errors.push_back({"role", "enum", "lead, responder, expert, liaison, observer"});
    const auto user = tx.find_user(in.user);
    const auto tenants = team_tenants(tx, a->incident);
    const OrgId tenant = user ? tenant_of(tx, user->organization) : OrgId();
    if (!user || user->disabled || std::find(tenants.begin(), tenants.end(), tenant) == tenants.end() ||
        !domain::permits(user->role, domain::Action::kIncidentRead))
      errors.push_back({"user_id", "not_found", {}});
    else if (active_member(tx, id, in.user))
      errors.push_back({"user_id", "taken", {}});
    if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
    IncidentMember m;
    m.incident = id;
    m.user = in.user;
    m.organization = tenant;
    m.role = in.role;
    m.added_by = p.user;
    m.added_at = clock_.now();
    m.id = tx.insert_member(m);
    v = member_view(tx, m);
    add_entry(tx, p, a->incident, "member", fmt::format("+ {} ({}, {})", v.display_name, v.organization_name, m.role));
    AuditEvent e = event_by(p, "incident.member.add", "member", m.id.str());
    e.changes = member_facts(m);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return v;
}

Result<MemberView> Incidents::remove_member(const Principal& p, IncidentId id, MemberId member,
                                            const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  MemberView v;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    auto members = tx.list_members(id);
    auto it = std::find_if(members.begin(), members.end(), [&](const IncidentMember& m) { return m.id == member; });
    if (it == members.end()) return Error("not_found");
    if (!it->active()) return Error("conflict", "already removed");
    it->removed_by = p.user;
    it->removed_at = clock_.now();
    tx.remove_member(*it);
    v = member_view(tx, *it);
    add_entry(tx, p, a->incident, "member", fmt::format("− {} ({})", v.display_name, v.organization_name));
    AuditEvent e = event_by(p, "incident.member.remove", "member", it->id.str());
    e.changes = member_facts(*it);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return v;
}

// ---- requests for support ----

Result<std::vector<SupportRequest>> Incidents::support_requests(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<SupportRequest> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kRead);
    if (!a) return a.error();
    for (auto& r : tx.list_support_requests(id))
      if (!a->share || r.organization == p.tenant) out.push_back(std::move(r));  // the asked see what they were asked
    return {};
  }));
  return out;
}

Result<SupportRequest> Incidents::request_support(const Principal& p, IncidentId id, const SupportRequestInput& in,
                                                  const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentShare, Access::kChange));
  SupportRequest r;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    std::vector<FieldError> errors;
    const auto org = tx.find_organization(in.organization);
    if (!org || !share_target(load_tree(tx), p, *org)) errors.push_back({"organization_id", "not_found", {}});
    if (in.kinds.empty()) errors.push_back({"kinds", "required", {}});
    for (const auto& k : in.kinds)
      if (std::find(kSupportKinds.begin(), kSupportKinds.end(), k) == kSupportKinds.end())
        errors.push_back({"kinds", "enum", "expert, forensics, malware-analysis, recovery, coordination, legal"});
    if (in.detail.empty()) errors.push_back({"detail", "required", {}});
    if (in.detail.size() > kMaxText) errors.push_back({"detail", "too_long", std::to_string(kMaxText)});
    if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
    for (const auto& s : tx.list_shares(id))
      if (s.active() && s.organization == in.organization) r.share = s.id;
    if (!r.share) {
      auto granted = grant(tx, p, a->incident, ShareInput{in.organization, in.parts, in.detail}, meta);
      if (!granted) return granted.error();
      r.share = granted->id;
    }
    r.incident = id;
    r.organization = in.organization;
    r.kinds = in.kinds;
    r.detail = in.detail;
    r.requested_by = p.user;
    r.requested_at = clock_.now();
    r.id = tx.insert_support_request(r);
    add_entry(tx, p, a->incident, "support", fmt::format("→ {}: {}", org->name, r.detail));
    AuditEvent e = event_by(p, "incident.support.request", "support_request", r.id.str());
    e.changes = support_facts(r);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return r;
}

Result<SupportRequest> Incidents::answer_support(const Principal& p, IncidentId id, SupportRequestId request,
                                                 const SupportAnswer& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  SupportRequest r;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kRead);
    if (!a) return a.error();
    auto all = tx.list_support_requests(id);
    auto it = std::find_if(all.begin(), all.end(), [&](const SupportRequest& x) { return x.id == request; });
    if (it == all.end() || (a->share && it->organization != p.tenant)) return Error("not_found");
    const bool asked = it->organization == p.tenant;
    const bool owner = !a->share;
    // Who may move the request where, from where.
    bool allowed = false;
    if (in.status == "accepted" || in.status == "declined") allowed = asked && it->status == "requested";
    else if (in.status == "completed") allowed = asked && it->status == "accepted";
    else if (in.status == "withdrawn")
      allowed = owner && domain::permits(p.role, domain::Action::kIncidentShare) &&
                (it->status == "requested" || it->status == "accepted");
    else return validation_error("status", "enum");
    if (!allowed) return Error("conflict", fmt::format("the request is {}", it->status));
    if (in.status == "declined" && in.response.empty()) return validation_error("response", "required");
    if (in.response.size() > kMaxText) return validation_error("response", "too_long");
    r = *it;
    r.status = in.status;
    r.response = in.response;
    r.responded_by = p.user;
    r.responded_at = clock_.now();
    tx.update_support_request(r);
    const auto org = tx.find_organization(p.tenant);
    add_entry(tx, p, a->incident, "support",
              fmt::format("{} — {}{}{}", org ? org->name : p.tenant.str(), r.status, r.response.empty() ? "" : ": ",
                          r.response));
    AuditEvent e = event_by(p, "incident.support.answer", "support_request", r.id.str());
    e.changes = support_facts(r);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return r;
}

// ---- comments ----

namespace {
CommentView comment_view(Tx& tx, Comment c) {
  auto [author, organization] = names_of(tx, c.author, c.organization);
  return {std::move(c), std::move(author), std::move(organization)};
}
}  // namespace

Result<std::vector<CommentView>> Incidents::comments(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) {
    std::vector<CommentView> out;
    for (auto& c : tx.list_comments(id)) out.push_back(comment_view(tx, std::move(c)));
    return out;
  });
}

Result<CommentView> Incidents::add_comment(const Principal& p, IncidentId id, const std::string& text,
                                           const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  CommentView v;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kWork));
    if (text.empty()) return validation_error("text", "required");
    Comment c;
    if (text.size() > kMaxText) return validation_error("text", "too_long");
    c.incident = id;
    c.organization = p.tenant;
    c.author = p.user;
    c.text = text;
    c.created_at = clock_.now();
    c.id = tx.insert_comment(c);
    AuditEvent e = event_by(p, "incident.comment.create", "comment", c.id.str());
    e.changes = {{"incident_id", id.str()}, {"text", c.text}};
    record(tx, clock_, meta, std::move(e));
    v = comment_view(tx, std::move(c));
    return {};
  }));
  return v;
}

// ---- public statements ----

Result<std::vector<PublicStatement>> Incidents::statements(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) { return tx.list_statements(id); });
}

Result<PublicStatement> Incidents::add_statement(const Principal& p, IncidentId id, const StatementInput& in,
                                           const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  PublicStatement s;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    const Timestamp now = clock_.now();
    std::vector<FieldError> errors;
    if (in.text.empty()) errors.push_back({"text", "required", {}});
    if (in.channel.empty()) errors.push_back({"channel", "required", {}});
    if (in.approved_by.empty()) errors.push_back({"approved_by", "required", {}});
    if (in.published_at && *in.published_at > now + std::chrono::minutes(5)) errors.push_back({"published_at", "in_future", {}});
    if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
    s.incident = id;
    s.text = in.text;
    s.channel = in.channel;
    s.published_at = in.published_at.value_or(now);
    s.approved_by = in.approved_by;
    s.created_by = p.user;
    s.created_at = now;
    s.id = tx.insert_statement(s);
    add_entry(tx, p, a->incident, "statement", fmt::format("{}: {}", s.channel, s.text), s.published_at);
    AuditEvent e = event_by(p, "incident.statement.create", "statement", s.id.str());
    e.changes = {{"incident_id", id.str()}, {"text", s.text}, {"channel", s.channel},
                 {"published_at", format_rfc3339(s.published_at)}, {"approved_by", s.approved_by}};
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return s;
}

// ---- observables ----

namespace {
boost::json::object observable_facts(const Observable& o) {
  return {{"incident_id", o.incident.str()}, {"kind", o.kind}, {"value", o.value}, {"original", o.original},
          {"tlp", o.tlp}, {"tags", json_list(o.tags)}, {"is_ioc", o.is_ioc}, {"note", o.note}};
}

std::vector<Sighting> sightings_for(Tx& tx, const Principal& p, const Observable& o) {
  return tx.sightings(o.kind, o.value, o.incident, {p.tenant}, tx.shared_with(p.tenant));
}
}  // namespace

Status Incidents::apply_observable(Observable& o, const ObservableInput& in) const {
  std::vector<FieldError> errors;
  if (in.tlp) {
    if (catalog_.taxonomy.has_tlp(*in.tlp)) o.tlp = *in.tlp;
    else errors.push_back({"tlp", "not_found", *in.tlp});
  }
  if (in.tags) {
    o.tags.clear();
    for (const auto& t : *in.tags)
      if (!t.empty() && std::find(o.tags.begin(), o.tags.end(), t) == o.tags.end()) o.tags.push_back(t);
  }
  if (in.is_ioc) o.is_ioc = *in.is_ioc;
  if (in.note) o.note = *in.note;
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  return {};
}

Result<std::vector<ObservableView>> Incidents::observables(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<ObservableView> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kRead, "observables"));
    for (auto& o : tx.list_observables(id)) {
      auto seen = sightings_for(tx, p, o);
      out.push_back({std::move(o), std::move(seen)});
    }
    return {};
  }));
  return out;
}

Result<ObservableView> Incidents::add_observable(const Principal& p, IncidentId id, const ObservableInput& in,
                                                 const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  const auto kind = domain::parse_observable_kind(in.kind.value_or(""));
  if (!kind) return validation_error("kind", "enum");
  auto value = domain::normalize_observable(*kind, in.value.value_or(""));
  if (!value) return value.error();
  ObservableView out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "observables");
    if (!a) return a.error();
    Observable o;
    o.incident = id;
    o.kind = std::string(domain::observable_kind_name(*kind));
    o.value = *value;
    o.original = *in.value;
    o.created_by = p.user;
    o.created_at = clock_.now();
    KHIEN_TRY(apply_observable(o, in));
    for (const auto& existing : tx.list_observables(id))
      if (existing.kind == o.kind && existing.value == o.value) return validation_error("value", "taken", o.value);
    o.id = tx.insert_observable(o);
    AuditEvent e = event_by(p, "incident.observable.create", "observable", o.id.str());
    e.organization = a->incident.organization;
    e.changes = observable_facts(o);
    record(tx, clock_, meta, std::move(e));
    out.sightings = sightings_for(tx, p, o);
    out.observable = std::move(o);
    return {};
  }));
  return out;
}

Result<ObservableView> Incidents::update_observable(const Principal& p, IncidentId id, ObservableId observable,
                                                    const ObservableInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  if (in.kind || in.value) return validation_error(in.kind ? "kind" : "value", "unknown_field", "add a new observable instead");
  ObservableView out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "observables");
    if (!a) return a.error();
    auto list = tx.list_observables(id);
    auto it = std::find_if(list.begin(), list.end(), [&](const Observable& o) { return o.id == observable; });
    if (it == list.end()) return Error("not_found");
    Observable o = *it;
    const auto before = observable_facts(o);
    KHIEN_TRY(apply_observable(o, in));
    tx.update_observable(o);
    AuditEvent e = event_by(p, "incident.observable.update", "observable", o.id.str());
    e.organization = a->incident.organization;
    const auto after = observable_facts(o);
    for (const auto& [k, v] : after)
      if (before.at(k) != v) note_change(e.changes, k, before.at(k), v);
    e.changes["incident_id"] = id.str();
    record(tx, clock_, meta, std::move(e));
    out.sightings = sightings_for(tx, p, o);
    out.observable = std::move(o);
    return {};
  }));
  return out;
}

Status Incidents::delete_observable(const Principal& p, IncidentId id, ObservableId observable, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  return store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kOwn);
    if (!a) return a.error();
    auto list = tx.list_observables(id);
    auto it = std::find_if(list.begin(), list.end(), [&](const Observable& o) { return o.id == observable; });
    if (it == list.end()) return Error("not_found");
    tx.delete_observable(observable);
    AuditEvent e = event_by(p, "incident.observable.delete", "observable", observable.str());
    e.changes = observable_facts(*it);  // what was removed stays in the audit log
    record(tx, clock_, meta, std::move(e));
    return {};
  });
}

// ---- follow-up actions ----

namespace {
Status apply_followup(Tx& tx, const Principal& p, Followup& f, const FollowupInput& in, Timestamp now) {
  std::vector<FieldError> errors;
  if (in.action) f.action = *in.action;
  if (in.owner) f.owner = *in.owner;
  if (in.owner_name) f.owner_name = *in.owner_name;
  if (in.due_at) f.due_at = *in.due_at;
  if (in.status) {
    if (*in.status != "open" && *in.status != "done" && *in.status != "cancelled") errors.push_back({"status", "enum", {}});
    if (*in.status == "done" && f.status != "done") f.done_at = now;
    if (*in.status != "done") f.done_at.reset();
    f.status = *in.status;
  }
  if (f.action.empty()) errors.push_back({"action", "required", {}});
  if (f.action.size() > kMaxText) errors.push_back({"action", "too_long", {}});
  if (f.owner) {
    auto u = tx.find_user(*f.owner);
    if (!u || tenant_of(tx, u->organization) != p.tenant) errors.push_back({"owner_id", "not_found", {}});
    else if (f.owner_name.empty()) f.owner_name = u->display_name;
  }
  if (!f.owner && f.owner_name.empty()) errors.push_back({"owner_name", "required", {}});
  if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
  return {};
}

boost::json::object followup_facts(const Followup& f) {
  return {{"incident_id", f.incident.str()}, {"action", f.action},
          {"owner_id", f.owner ? boost::json::value(f.owner->str()) : nullptr}, {"owner_name", f.owner_name},
          {"due_at", json_opt(f.due_at)}, {"status", f.status}};
}
}  // namespace

Result<std::vector<Followup>> Incidents::followups(const Principal& p, IncidentId id) {
  return read_part(store_, p, id, "summary", [&](Tx& tx) { return tx.list_followups(id); });
}

Result<std::vector<Followup>> Incidents::open_followups(const Principal& p) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<Followup> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    out = tx.open_followups(p.tenant);
    return {};
  }));
  return out;
}

Result<Followup> Incidents::add_followup(const Principal& p, IncidentId id, const FollowupInput& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  Followup f;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kOwn));
    const Timestamp now = clock_.now();
    f.incident = id;
    f.created_by = p.user;
    f.created_at = f.updated_at = now;
    KHIEN_TRY(apply_followup(tx, p, f, in, now));
    f.id = tx.insert_followup(f);
    AuditEvent e = event_by(p, "incident.followup.create", "followup", f.id.str());
    e.changes = followup_facts(f);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return f;
}

Result<Followup> Incidents::update_followup(const Principal& p, IncidentId id, FollowupId followup, const FollowupInput& in,
                                            const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  Followup f;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kOwn));  // closed incidents too: follow-ups outlive the response
    auto list = tx.list_followups(id);
    auto it = std::find_if(list.begin(), list.end(), [&](const Followup& x) { return x.id == followup; });
    if (it == list.end()) return Error("not_found");
    f = *it;
    const auto before = followup_facts(f);
    const Timestamp now = clock_.now();
    KHIEN_TRY(apply_followup(tx, p, f, in, now));
    f.updated_at = now;
    tx.update_followup(f);
    AuditEvent e = event_by(p, "incident.followup.update", "followup", f.id.str());
    const auto after = followup_facts(f);
    for (const auto& [k, v] : after)
      if (before.at(k) != v) note_change(e.changes, k, before.at(k), v);
    e.changes["incident_id"] = id.str();
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return f;
}

// ---- duplicates ----

Result<IncidentView> Incidents::merge(const Principal& p, IncidentId duplicate, std::int64_t version, IncidentId into,
                                      const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  std::optional<IncidentView> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, duplicate, Need::kOwn);
    if (!a) return a.error();
    Incident i = std::move(a->incident);
    KHIEN_TRY(check_version(i, version));
    if (i.merged_into) return Error("incident_merged");
    auto target = tx.find_incident(into);
    if (!target || target->organization != p.tenant || target->id == i.id) return validation_error("into_id", "not_found");
    if (target->merged_into) return validation_error("into_id", "merged");
    const Timestamp now = clock_.now();
    i.merged_into = into;
    i.version = version + 1;
    i.updated_at = now;
    if (!tx.update_incident(i)) return Error("stale");
    add_entry(tx, p, i, "merge", fmt::format("→ {} {}", reference_of(*target), target->title));
    add_entry(tx, p, *target, "merge", fmt::format("← {} {}: {}", reference_of(i), i.title, i.description));
    AuditEvent e = event_by(p, "incident.merge", "incident", i.id.str());
    e.changes = {{"into_id", into.str()}, {"into_reference", reference_of(*target)}};
    record(tx, clock_, meta, std::move(e));
    out = view(tx, p, std::move(i));
    return {};
  }));
  return std::move(*out);
}

// ---- evidence and its chain of custody ----

namespace {
constexpr std::size_t kMaxName = 255;

boost::json::object evidence_facts(const Evidence& e) {
  return {{"incident_id", e.incident.str()}, {"name", e.name}, {"sha256", e.sha256}, {"size", e.size},
          {"media_type", e.media_type}, {"collected_by", e.collected_by}, {"collected_from", e.collected_from},
          {"collected_at", format_rfc3339(e.collected_at)}, {"method", e.method}, {"holder", e.holder}};
}
}  // namespace

Result<std::vector<EvidenceView>> Incidents::evidence(const Principal& p, IncidentId id) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<EvidenceView> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    KHIEN_TRY(load(tx, p, id, Need::kRead, "evidence"));
    for (auto& e : tx.list_evidence(id)) {
      auto custody = tx.list_custody(e.id);
      out.push_back({std::move(e), std::move(custody)});
    }
    return {};
  }));
  return out;
}

Result<EvidenceView> Incidents::add_evidence(const Principal& p, IncidentId id, const EvidenceUpload& in,
                                             const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  EvidenceView out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "evidence");
    if (!a) return a.error();
    std::vector<FieldError> errors;
    if (in.name.empty()) errors.push_back({"name", "required", {}});
    if (in.name.size() > kMaxName || in.name.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) errors.push_back({"name", "pattern", {}});
    if (in.collected_by.empty()) errors.push_back({"collected_by", "required", {}});
    if (in.collected_from.empty()) errors.push_back({"collected_from", "required", {}});
    if (in.collected_at && *in.collected_at > clock_.now() + std::chrono::minutes(5)) errors.push_back({"collected_at", "in_future", {}});
    if (in.size == 0) errors.push_back({"file", "required", "the body is empty"});
    if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
    const Timestamp now = clock_.now();
    Evidence e;
    e.incident = id;
    e.name = in.name;
    e.sha256 = in.sha256;
    e.size = in.size;
    e.media_type = in.media_type.empty() ? "application/octet-stream" : in.media_type;
    e.description = in.description;
    e.collected_by = in.collected_by;
    e.collected_from = in.collected_from;
    e.collected_at = in.collected_at.value_or(now);
    e.method = in.method;
    e.holder = in.collected_by;
    e.created_by = p.user;
    e.created_at = now;
    // The file first: if the transaction then fails, an unreferenced file stays, never a row
    // without its file.
    KHIEN_TRY(files_.adopt(in.incoming, in.sha256));
    e.id = tx.insert_evidence(e);
    CustodyEvent c{0, e.id, "collected", e.collected_from, e.collected_by, e.method, p.user, p.username, meta.address,
                   e.collected_at};
    tx.insert_custody(c);
    add_entry(tx, p, a->incident, "evidence", fmt::format("{} (SHA-256 {}…)", e.name, e.sha256.substr(0, 16)), e.collected_at);
    AuditEvent ev = event_by(p, "incident.evidence.create", "evidence", e.id.str());
    ev.organization = a->incident.organization;
    ev.changes = evidence_facts(e);
    record(tx, clock_, meta, std::move(ev));
    out.custody = tx.list_custody(e.id);
    out.evidence = std::move(e);
    return {};
  }));
  return out;
}

Result<EvidenceView> Incidents::transfer_evidence(const Principal& p, IncidentId id, EvidenceId evidence_id,
                                                  const std::string& to, const std::string& note, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentManage, Access::kChange));
  if (to.empty()) return validation_error("to", "required");
  EvidenceView out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kWork, "evidence");
    if (!a) return a.error();
    auto list = tx.list_evidence(id);
    auto it = std::find_if(list.begin(), list.end(), [&](const Evidence& e) { return e.id == evidence_id; });
    if (it == list.end()) return Error("not_found");
    Evidence e = *it;
    CustodyEvent c{0, e.id, "transferred", e.holder, to, note, p.user, p.username, meta.address, clock_.now()};
    tx.insert_custody(c);
    tx.set_evidence_holder(e.id, to);
    e.holder = to;
    add_entry(tx, p, a->incident, "evidence", fmt::format("{}: {} → {}", e.name, c.from_party, to));
    AuditEvent ev = event_by(p, "incident.evidence.transfer", "evidence", e.id.str());
    ev.organization = a->incident.organization;
    ev.changes = {{"from", c.from_party}, {"to", to}, {"note", note}};
    record(tx, clock_, meta, std::move(ev));
    out.custody = tx.list_custody(e.id);
    out.evidence = std::move(e);
    return {};
  }));
  return out;
}

Result<EvidenceDownload> Incidents::download_evidence(const Principal& p, IncidentId id, EvidenceId evidence_id,
                                                      const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::optional<Evidence> found;
  OrgId owner;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto a = load(tx, p, id, Need::kRead, "evidence");
    if (!a) return a.error();
    owner = a->incident.organization;
    for (auto& e : tx.list_evidence(id))
      if (e.id == evidence_id) found = std::move(e);
    return {};
  }));
  if (!found) return Error("not_found");
  // Outside the transaction: hashing a large file must not hold the store.
  const auto actual = files_.rehash(found->sha256);
  const bool intact = actual && *actual == found->sha256;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    CustodyEvent c{0, found->id, intact ? "downloaded" : "hash-mismatch", found->holder, p.username,
                   intact ? std::string() : "SHA-256 now " + actual.value_or("(missing)"), p.user, p.username,
                   meta.address, clock_.now()};
    tx.insert_custody(c);
    AuditEvent ev = event_by(p, intact ? "incident.evidence.download" : "incident.evidence.hash_mismatch", "evidence",
                             found->id.str());
    ev.organization = owner;
    ev.success = intact;
    ev.changes = {{"sha256", found->sha256}, {"actual", actual ? boost::json::value(*actual) : nullptr}};
    record(tx, clock_, meta, std::move(ev));
    return {};
  }));
  if (!intact) return Error("evidence_corrupted", found->sha256);
  return EvidenceDownload{*found, files_.path_of(found->sha256)};
}

// ---- what is owed, across incidents ----

Result<std::vector<std::pair<IncidentView, ObligationView>>> Incidents::owed(const Principal& p) {
  IncidentQuery q;
  q.filter.limit = 1000;
  for (Phase ph : domain::kAllPhases)
    if (ph != Phase::kDismissed) q.filter.phases.emplace_back(domain::phase_name(ph));
  auto page = list(p, std::move(q));
  if (!page) return page.error();
  std::vector<std::pair<IncidentView, ObligationView>> out;
  for (const auto& v : page->items)
    for (const auto& o : v.obligations)
      if (o.obligation.status == domain::ObligationStatus::kPending || o.obligation.status == domain::ObligationStatus::kOverdue)
        out.emplace_back(v, o);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.second.obligation.due_at;
    const auto& y = b.second.obligation.due_at;
    if (x.has_value() != y.has_value()) return x.has_value();
    return x && y && *x < *y;
  });
  return out;
}

// ---- saved filters ----

Result<std::vector<SavedFilter>> Incidents::saved_filters(const Principal& p) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  std::vector<SavedFilter> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    out = tx.list_saved_filters(p.user);
    return {};
  }));
  return out;
}

Result<SavedFilter> Incidents::save_filter(const Principal& p, const std::string& name, const std::string& query,
                                           const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kChange));
  SavedFilter f{SavedFilterId(), p.user, name, query, clock_.now()};
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    for (const auto& existing : tx.list_saved_filters(p.user))
      if (existing.name == name) return validation_error("name", "taken");
    f.id = tx.insert_saved_filter(f);
    AuditEvent e = event_by(p, "incident.filter.save", "saved_filter", f.id.str());
    e.changes = {{"name", name}, {"query", query}};
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return f;
}

Status Incidents::delete_filter(const Principal& p, SavedFilterId id, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kChange));
  return store_.write([&](Tx& tx) -> Status {
    auto list = tx.list_saved_filters(p.user);
    auto it = std::find_if(list.begin(), list.end(), [&](const SavedFilter& f) { return f.id == id; });
    if (it == list.end()) return Error("not_found");
    tx.delete_saved_filter(id);
    AuditEvent e = event_by(p, "incident.filter.delete", "saved_filter", id.str());
    e.changes = {{"name", it->name}, {"query", it->query}};
    record(tx, clock_, meta, std::move(e));
    return {};
  });
}

}  // namespace khien::service
