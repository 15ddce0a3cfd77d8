// Incidents and their sub-resources: transitions, tasks, timeline, approvals, report
// submissions. Writes to an incident or a task carry If-Match with the version read.
#include <boost/json.hpp>
#include <cctype>
#include <fmt/format.h>

#include "api/routes.h"

namespace khien::api {

namespace {

using service::IncidentId;

std::string_view lang(const Ctx& c) { return c.locale == i18n::Locale::kEn ? "en" : "vi"; }

boost::json::value time_or_null(const std::optional<Timestamp>& t) {
  return t ? boost::json::value(format_rfc3339(*t)) : boost::json::value(nullptr);
}
template <class IdType>
boost::json::value id_or_null(const std::optional<IdType>& id) {
  return id ? boost::json::value(id->str()) : boost::json::value(nullptr);
}
boost::json::value text_or_null(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}
boost::json::array strings(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

boost::json::object obligation_json(const Ctx& c, const service::ObligationView& ov);

boost::json::object incident_json(const Ctx& c, const service::IncidentView& v) {
  const auto& i = v.incident;
  boost::json::array systems, system_ids;
  for (const auto& s : v.systems) {
    system_ids.emplace_back(s.id.str());
    systems.push_back({{"id", s.id.str()},
                       {"name", s.name},
                       {"security_level", s.security_level ? boost::json::value(*s.security_level) : nullptr},
                       {"national_critical", s.national_critical}});
  }
  boost::json::array reasons;
  for (const auto& r : v.assessment.reasons)
    reasons.push_back({{"criterion", r.criterion}, {"met", r.met}, {"subject", r.subject}});
  boost::json::array obligations;
  for (const auto& ov : v.obligations) obligations.push_back(obligation_json(c, ov));
  boost::json::array steps;
  for (auto s : v.steps) steps.emplace_back(domain::step_name(s));
  boost::json::array reached;
  for (const auto& r : v.phase_reached)
    reached.push_back({{"phase", domain::phase_name(r.phase)},
                       {"at", format_rfc3339(r.reached_at)},
                       {"since_detection_seconds", r.since_detection.count()},
                       {"since_previous_seconds", r.since_previous.count()}});
  const char* approval = "none";
  switch (v.approval) {
    case domain::ApprovalState::kNone: approval = "none"; break;
    case domain::ApprovalState::kPending: approval = "pending"; break;
    case domain::ApprovalState::kApproved: approval = "approved"; break;
    case domain::ApprovalState::kRejected: approval = "rejected"; break;
  }
  return {{"id", i.id.str()},
          {"reference", v.reference},
          {"organization_id", i.organization.str()},
          {"title", i.title},
          {"description", i.description},
          {"phase", domain::phase_name(i.phase)},
          {"source", i.source},
          {"reporter_id", id_or_null(i.reporter)},
          {"reporter_contact", i.reporter_contact},
          {"external_organization", i.external_organization},
          {"external_reference", i.external_reference},
          {"external_date", i.external_date},
          {"detected_at", format_rfc3339(i.detected_at)},
          {"occurred_at", time_or_null(i.occurred_at)},
          {"scenario", text_or_null(i.scenario)},
          {"cause_class", text_or_null(i.cause_class)},
          {"severity", text_or_null(i.severity)},
          {"tlp", i.tlp},
          {"impacts", strings(i.impacts)},
          {"system_ids", std::move(system_ids)},
          {"systems", std::move(systems)},
          {"beyond_capacity", i.beyond_capacity},
          {"personal_data_breach", i.personal_data_breach},
          {"national_security", i.national_security},
          {"serious", i.serious},
          {"serious_at", time_or_null(i.serious ? i.serious_at : std::nullopt)},
          {"serious_override", i.serious_override ? boost::json::value(*i.serious_override) : nullptr},
          {"serious_override_reason", i.serious_override_reason},
          {"serious_assessment", {{"serious", v.assessment.serious}, {"reasons", std::move(reasons)}}},
          {"approval_required", i.approval_required},
          {"approval_needed", v.approval_needed},
          {"approval_state", approval},
          {"response_option", i.response_option},
          {"root_cause", i.root_cause},
          {"lessons_learned", i.lessons_learned},
          {"attack_origin", i.attack_origin},
          {"loop_count", i.loop_count},
          {"response_ended_at", time_or_null(i.response_ended_at)},
          {"closed_at", time_or_null(i.closed_at)},
          {"is_drill", i.is_drill},
          {"profile", i.profile},
          {"merged_into", id_or_null(i.merged_into)},
          {"created_at", format_rfc3339(i.created_at)},
          {"updated_at", format_rfc3339(i.updated_at)},
          {"version", i.version},
          {"obligations", std::move(obligations)},
          {"steps", std::move(steps)},
          {"can_change", v.can_change},
          {"can_work", v.can_work},
          {"organization_name", v.organization_name},
          {"spokesperson_id", id_or_null(i.spokesperson)},
          {"shared_parts", v.shared_with_caller ? boost::json::value(strings(v.shared_with_caller->parts)) : nullptr},
          {"phase_reached", std::move(reached)}};
}



Result<std::optional<Timestamp>> body_time(const Ctx& c, std::string_view field) {
  auto s = body_string(c, field);
  if (!s) return std::optional<Timestamp>();
  auto t = parse_rfc3339(*s);
  if (!t) return validation_error(std::string(field), "pattern", "RFC 3339");
  return std::optional<Timestamp>(*t);
}

// A field that may be sent as null to clear it: unset when absent, nullopt inside when null.
bool has_null(const Ctx& c, std::string_view field) {
  auto* v = c.body.if_contains(field);
  return v && v->is_null();
}

std::vector<std::string> body_strings(const Ctx& c, std::string_view field) {
  std::vector<std::string> out;
  if (auto* v = c.body.if_contains(field); v && v->is_array())
    for (const auto& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

Result<std::vector<service::SystemId>> body_system_ids(const Ctx& c) {
  std::vector<service::SystemId> out;
  for (const auto& s : body_strings(c, "system_ids")) {
    auto id = service::SystemId::parse(s);
    if (!id) return validation_error("system_ids", "not_found", s);
    out.push_back(*id);
  }
  return out;
}

boost::json::object obligation_json(const Ctx& c, const service::ObligationView& ov) {
  const auto l = lang(c);
  const auto& o = ov.obligation;
  boost::json::array recipients;
  for (const auto& r : ov.recipients)
    recipients.push_back({{"id", r.id},
                          {"name", r.rule->name.in(l)},
                          {"organization_id", r.organization ? boost::json::value(r.organization->id.str()) : nullptr},
                          {"organization_name", r.organization ? boost::json::value(r.organization->name) : nullptr}});
  return {{"id", o.rule->id},
          {"name", o.rule->name.in(l)},
          {"form", text_or_null(o.rule->form)},
          {"status", domain::obligation_status_name(o.status)},
          {"due", domain::deadline_unit_name(o.rule->due.unit)},
          {"due_at", time_or_null(o.due_at)},
          {"done_at", time_or_null(o.done_at)},
          {"done_late", o.done_late},
          {"source", o.rule->source.in(l)},
          {"verified", o.rule->verified},
          {"note", o.rule->note ? boost::json::value(o.rule->note->in(l)) : nullptr},
          {"recipients", std::move(recipients)}};
}

Result<service::IncidentInput> incident_input(const Ctx& c) {
  service::IncidentInput in;
  in.title = body_string(c, "title").value_or("");
  in.description = body_string(c, "description").value_or("");
  if (auto s = body_string(c, "source")) in.source = *s;
  auto detected = body_time(c, "detected_at");
  if (!detected) return detected.error();
  in.detected_at = *detected;
  auto occurred = body_time(c, "occurred_at");
  if (!occurred) return occurred.error();
  in.occurred_at = *occurred;
  in.reporter_contact = body_string(c, "reporter_contact").value_or("");
  in.external_organization = body_string(c, "external_organization").value_or("");
  in.external_reference = body_string(c, "external_reference").value_or("");
  in.external_date = body_string(c, "external_date").value_or("");
  in.scenario = body_string(c, "scenario");
  in.severity = body_string(c, "severity");
  in.tlp = body_string(c, "tlp");
  auto systems = body_system_ids(c);
  if (!systems) return systems.error();
  in.systems = *systems;
  in.is_drill = body_bool(c, "is_drill").value_or(false);
  return in;
}

Result<http::Response> report_incident(Ctx& c) {
  auto in = incident_input(c);
  if (!in) return in.error();
  auto v = c.services.incidents.report(c.who(), std::move(*in), c.meta);
  if (!v) return v.error();
  return with_etag(json_response(201, incident_json(c, *v)), v->incident.version);
}

Result<http::Response> create_incident(Ctx& c) {
  auto in = incident_input(c);
  if (!in) return in.error();
  auto v = c.services.incidents.create(c.who(), std::move(*in), c.meta);
  if (!v) return v.error();
  return with_etag(json_response(201, incident_json(c, *v)), v->incident.version);
}

Result<http::Response> list_incidents(Ctx& c) {
  service::IncidentQuery q;
  auto& f = q.filter;
  f.limit = query_limit(c);
  if (auto v = c.query("phase"); v && !v->empty()) {
    std::string_view rest = *v;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto name = rest.substr(0, comma);
      if (!domain::parse_phase(name)) return validation_error("phase", "enum", std::string(name));
      f.phases.emplace_back(name);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (auto v = c.query("scenario"); v && !v->empty()) f.scenario = std::string(*v);
  if (auto v = c.query("severity"); v && !v->empty()) f.severity = std::string(*v);
  if (auto v = c.query("serious")) f.serious = *v == "true";
  if (auto v = c.query("drill")) f.drill = *v == "true";
  if (auto v = c.query("q"); v && !v->empty()) f.text = std::string(*v);
  if (auto v = c.query("sort")) f.sort = std::string(*v);
  for (auto [name, target] : {std::pair{"detected_from", &f.detected_from}, std::pair{"detected_to", &f.detected_to}}) {
    if (auto v = c.query(name)) {
      auto t = parse_rfc3339(*v);
      if (!t) return validation_error(name, "pattern", "RFC 3339");
      *target = *t;
    }
  }
  if (auto v = c.query("cursor")) {
    // "<sort key>.<id>", both decimal.
    const auto dot = v->find('.');
    const auto key = v->substr(0, dot);
    const auto id = dot == std::string_view::npos ? std::string_view() : v->substr(dot + 1);
    const bool negative = key.starts_with('-');
    if (!service::IncidentId::parse(id) || !Id<struct KeyTag>::parse(negative ? key.substr(1) : key))
      return validation_error("cursor", "invalid_value");
    f.cursor_key = std::string(key);
    f.cursor_id = service::IncidentId::parse(id)->value();
  }
  auto page = c.services.incidents.list(c.who(), std::move(q));
  if (!page) return page.error();
  boost::json::array items;
  for (const auto& v : page->items) items.push_back(incident_json(c, v));
  return json_response(200, boost::json::object{
                                {"items", std::move(items)},
                                {"next_cursor", page->next_cursor ? boost::json::value(*page->next_cursor) : nullptr}});
}

Result<http::Response> get_incident(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto v = c.services.incidents.get(c.who(), *id);
  if (!v) return v.error();
  return with_etag(json_response(200, incident_json(c, *v)), v->incident.version);
}

Result<http::Response> update_incident(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto version = if_match(c);
  if (!version) return version.error();
  service::IncidentChanges in;
  in.title = body_string(c, "title");
  in.description = body_string(c, "description");
  auto detected = body_time(c, "detected_at");
  if (!detected) return detected.error();
  in.detected_at = *detected;
  auto occurred = body_time(c, "occurred_at");
  if (!occurred) return occurred.error();
  if (*occurred || has_null(c, "occurred_at")) in.occurred_at = *occurred;
  for (auto [name, target] : {std::pair{"scenario", &in.scenario}, std::pair{"cause_class", &in.cause_class},
                              std::pair{"severity", &in.severity}}) {
    if (auto s = body_string(c, name)) *target = std::optional<std::string>(*s);
    else if (has_null(c, name)) *target = std::optional<std::string>();
  }
  in.tlp = body_string(c, "tlp");
  if (c.body.contains("impacts")) in.impacts = body_strings(c, "impacts");
  if (c.body.contains("system_ids")) {
    auto systems = body_system_ids(c);
    if (!systems) return systems.error();
    in.systems = *systems;
  }
  in.beyond_capacity = body_bool(c, "beyond_capacity");
  in.personal_data_breach = body_bool(c, "personal_data_breach");
  in.national_security = body_bool(c, "national_security");
  if (auto b = body_bool(c, "serious_override")) in.serious_override = std::optional<bool>(*b);
  else if (has_null(c, "serious_override")) in.serious_override = std::optional<bool>();
  in.serious_override_reason = body_string(c, "serious_override_reason");
  in.approval_required = body_bool(c, "approval_required");
  in.response_option = body_string(c, "response_option");
  in.root_cause = body_string(c, "root_cause");
  in.lessons_learned = body_string(c, "lessons_learned");
  in.attack_origin = body_string(c, "attack_origin");
  if (auto sp = body_string(c, "spokesperson_id")) {
    auto uid = UserId::parse(*sp);
    if (!uid) return validation_error("spokesperson_id", "not_found");
    in.spokesperson = std::optional<UserId>(*uid);
  } else if (has_null(c, "spokesperson_id")) {
    in.spokesperson = std::optional<UserId>();
  }
  auto v = c.services.incidents.update(c.who(), *id, *version, in, c.meta);
  if (!v) return v.error();
  return with_etag(json_response(200, incident_json(c, *v)), v->incident.version);
}

Result<http::Response> take_step(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto version = if_match(c);
  if (!version) return version.error();
  service::StepInput in;
  in.step = *domain::parse_step(*body_string(c, "step"));  // enum checked by the schema
  in.reason = body_string(c, "reason").value_or("");
  in.response_option = body_string(c, "response_option");
  in.approver_kind = body_string(c, "approver_kind").value_or("director");
  if (auto org = body_string(c, "approver_organization_id")) {
    in.approver_organization = OrgId::parse(*org);
    if (!in.approver_organization) return validation_error("approver_organization_id", "not_found");
  }
  if (in.step == domain::Step::kDecide) return Error("transition_not_allowed", "decide is taken by recording a decision");
  auto v = c.services.incidents.take_step(c.who(), *id, *version, in, c.meta);
  if (!v) return v.error();
  return with_etag(json_response(200, incident_json(c, *v)), v->incident.version);
}

Result<http::Response> list_transitions(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto h = c.services.incidents.history(c.who(), *id);
  if (!h) return h.error();
  boost::json::array items;
  for (const auto& t : *h)
    items.push_back({{"id", std::to_string(t.id)},
                     {"step", t.step},
                     {"from", domain::phase_name(t.from)},
                     {"to", domain::phase_name(t.to)},
                     {"reason", t.reason},
                     {"actor_id", id_or_null(t.actor)},
                     {"actor_name", t.actor_name},
                     {"at", format_rfc3339(t.at)}});
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

// ---- tasks ----

boost::json::object task_json(const service::Task& t) {
  return {{"id", t.id.str()},
          {"incident_id", t.incident.str()},
          {"organization_id", t.organization.str()},
          {"phase", domain::phase_name(t.phase)},
          {"title", t.title},
          {"detail", t.detail},
          {"playbook_step", text_or_null(t.playbook_step)},
          {"responsible", t.responsible},
          {"coordinating", strings(t.coordinating)},
          {"assignee_id", id_or_null(t.assignee)},
          {"due_at", time_or_null(t.due_at)},
          {"status", t.status},
          {"notes", t.notes},
          {"created_at", format_rfc3339(t.created_at)},
          {"updated_at", format_rfc3339(t.updated_at)},
          {"completed_at", time_or_null(t.completed_at)},
          {"version", t.version}};
}

Result<service::TaskInput> task_input(const Ctx& c) {
  service::TaskInput in;
  in.title = body_string(c, "title");
  in.detail = body_string(c, "detail");
  if (auto p = body_string(c, "phase")) in.phase = domain::parse_phase(*p);
  if (auto a = body_string(c, "assignee_id")) {
    auto id = UserId::parse(*a);
    if (!id) return validation_error("assignee_id", "not_found");
    in.assignee = std::optional<UserId>(*id);
  } else if (has_null(c, "assignee_id")) {
    in.assignee = std::optional<UserId>();
  }
  auto due = body_time(c, "due_at");
  if (!due) return due.error();
  if (*due || has_null(c, "due_at")) in.due_at = *due;
  in.status = body_string(c, "status");
  in.notes = body_string(c, "notes");
  return in;
}

Result<http::Response> list_tasks(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto tasks = c.services.incidents.tasks(c.who(), *id);
  if (!tasks) return tasks.error();
  boost::json::array items;
  for (const auto& t : *tasks) items.push_back(task_json(t));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_task(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto in = task_input(c);
  if (!in) return in.error();
  auto t = c.services.incidents.add_task(c.who(), *id, *in, c.meta);
  if (!t) return t.error();
  return with_etag(json_response(201, task_json(*t)), t->version);
}

Result<http::Response> update_task(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto task = service::TaskId::parse(c.req.path_param("task_id").value_or(""));
  if (!task) return Error("not_found");
  auto version = if_match(c);
  if (!version) return version.error();
  auto in = task_input(c);
  if (!in) return in.error();
  auto t = c.services.incidents.update_task(c.who(), *id, *task, *version, *in, c.meta);
  if (!t) return t.error();
  return with_etag(json_response(200, task_json(*t)), t->version);
}

// ---- timeline ----

boost::json::object timeline_json(const service::TimelineEntry& e) {
  return {{"id", e.id.str()},
          {"organization_id", e.organization.str()},
          {"happened_at", format_rfc3339(e.happened_at)},
          {"recorded_at", format_rfc3339(e.recorded_at)},
          {"kind", e.kind},
          {"source", e.source},
          {"text", e.text},
          {"techniques", strings(e.techniques)},
          {"actor_id", id_or_null(e.actor)},
          {"actor_name", e.actor_name}};
}

Result<http::Response> list_timeline(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto entries = c.services.incidents.timeline(c.who(), *id);
  if (!entries) return entries.error();
  boost::json::array items;
  for (const auto& e : *entries) items.push_back(timeline_json(e));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_timeline(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  service::TimelineInput in;
  auto happened = body_time(c, "happened_at");
  if (!happened) return happened.error();
  if (!*happened) return validation_error("happened_at", "required");
  in.happened_at = **happened;
  in.text = body_string(c, "text").value_or("");
  in.source = body_string(c, "source").value_or("");
  in.techniques = body_strings(c, "techniques");
  auto e = c.services.incidents.add_timeline(c.who(), *id, in, c.meta);
  if (!e) return e.error();
  return json_response(201, timeline_json(*e));
}

// ---- approvals ----

boost::json::object approval_json(const service::Approval& a) {
  return {{"id", a.id.str()},
          {"incident_id", a.incident.str()},
          {"response_option", a.response_option},
          {"approver_kind", a.approver_kind},
          {"approver_organization_id", id_or_null(a.approver_organization)},
          {"request_note", a.request_note},
          {"requested_by", id_or_null(a.requested_by)},
          {"requested_at", format_rfc3339(a.requested_at)},
          {"decision", text_or_null(a.decision)},
          {"comment", a.comment},
          {"decider_name", a.decider_name},
          {"document_reference", a.document_reference},
          {"decided_by", id_or_null(a.decided_by)},
          {"decided_at", time_or_null(a.decided_at)}};
}

Result<http::Response> list_approvals(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto approvals = c.services.incidents.approvals(c.who(), *id);
  if (!approvals) return approvals.error();
  boost::json::array items;
  for (const auto& a : *approvals) items.push_back(approval_json(a));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> decide(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto approval = service::ApprovalId::parse(c.req.path_param("approval_id").value_or(""));
  if (!approval) return Error("not_found");
  service::DecisionInput in;
  in.decision = *body_string(c, "decision");
  in.comment = body_string(c, "comment").value_or("");
  in.decider_name = body_string(c, "decider_name").value_or("");
  in.document_reference = body_string(c, "document_reference").value_or("");
  auto a = c.services.incidents.decide(c.who(), *id, *approval, in, c.meta);
  if (!a) return a.error();
  return json_response(200, approval_json(*a));
}

// ---- report submissions ----

boost::json::object submission_json(const service::ReportSubmission& r) {
  return {{"id", r.id.str()},
          {"incident_id", r.incident.str()},
          {"obligation", r.obligation},
          {"channel", r.channel},
          {"recipients", strings(r.recipients)},
          {"reference", r.reference},
          {"sent_at", format_rfc3339(r.sent_at)},
          {"note", r.note},
          {"recorded_by", id_or_null(r.recorded_by)},
          {"recorded_at", format_rfc3339(r.recorded_at)}};
}

Result<http::Response> list_submissions(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto items_r = c.services.incidents.submissions(c.who(), *id);
  if (!items_r) return items_r.error();
  boost::json::array items;
  for (const auto& r : *items_r) items.push_back(submission_json(r));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> record_submission(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  service::SubmissionInput in;
  in.obligation = *body_string(c, "obligation");
  in.channel = *body_string(c, "channel");
  in.recipients = body_strings(c, "recipients");
  in.reference = body_string(c, "reference").value_or("");
  in.note = body_string(c, "note").value_or("");
  auto sent = body_time(c, "sent_at");
  if (!sent) return sent.error();
  in.sent_at = *sent;
  auto r = c.services.incidents.record_submission(c.who(), *id, in, c.meta);
  if (!r) return r.error();
  return json_response(201, submission_json(*r));
}

// ---- observables ----

boost::json::object observable_json(const service::ObservableView& v) {
  const auto& o = v.observable;
  boost::json::array seen;
  for (const auto& x : v.sightings)
    seen.push_back({{"incident_id", x.incident.str()}, {"organization_id", x.organization.str()}, {"reference", x.reference},
                    {"title", x.title}});
  return {{"id", o.id.str()},
          {"incident_id", o.incident.str()},
          {"kind", o.kind},
          {"value", o.value},
          {"original", o.original},
          {"tlp", o.tlp},
          {"tags", strings(o.tags)},
          {"is_ioc", o.is_ioc},
          {"note", o.note},
          {"created_by", id_or_null(o.created_by)},
          {"created_at", format_rfc3339(o.created_at)},
          {"sightings", std::move(seen)}};
}

service::ObservableInput observable_input(const Ctx& c) {
  service::ObservableInput in;
  in.kind = body_string(c, "kind");
  in.value = body_string(c, "value");
  in.tlp = body_string(c, "tlp");
  if (c.body.contains("tags")) in.tags = body_strings(c, "tags");
  in.is_ioc = body_bool(c, "is_ioc");
  in.note = body_string(c, "note");
  return in;
}

Result<service::ObservableId> path_observable(const Ctx& c) {
  auto id = service::ObservableId::parse(c.req.path_param("observable_id").value_or(""));
  if (!id) return Error("not_found");
  return *id;
}

Result<http::Response> list_observables(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.observables(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& v : *list) items.push_back(observable_json(v));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_observable(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto v = c.services.incidents.add_observable(c.who(), *id, observable_input(c), c.meta);
  if (!v) return v.error();
  return json_response(201, observable_json(*v));
}

Result<http::Response> update_observable(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto oid = path_observable(c);
  if (!oid) return oid.error();
  auto v = c.services.incidents.update_observable(c.who(), *id, *oid, observable_input(c), c.meta);
  if (!v) return v.error();
  return json_response(200, observable_json(*v));
}

Result<http::Response> delete_observable(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto oid = path_observable(c);
  if (!oid) return oid.error();
  KHIEN_TRY(c.services.incidents.delete_observable(c.who(), *id, *oid, c.meta));
  return no_content();
}

// ---- evidence ----

boost::json::object evidence_json(const service::EvidenceView& v) {
  const auto& e = v.evidence;
  boost::json::array custody;
  for (const auto& c : v.custody)
    custody.push_back({{"kind", c.kind}, {"from", c.from_party}, {"to", c.to_party}, {"note", c.note},
                       {"actor_id", id_or_null(c.actor)}, {"actor_name", c.actor_name}, {"address", c.address},
                       {"at", format_rfc3339(c.at)}});
  return {{"id", e.id.str()},
          {"incident_id", e.incident.str()},
          {"name", e.name},
          {"sha256", e.sha256},
          {"size", e.size},
          {"media_type", e.media_type},
          {"description", e.description},
          {"collected_by", e.collected_by},
          {"collected_from", e.collected_from},
          {"collected_at", format_rfc3339(e.collected_at)},
          {"method", e.method},
          {"holder", e.holder},
          {"created_at", format_rfc3339(e.created_at)},
          {"custody", std::move(custody)}};
}

Result<service::EvidenceId> path_evidence(const Ctx& c) {
  auto id = service::EvidenceId::parse(c.req.path_param("evidence_id").value_or(""));
  if (!id) return Error("not_found");
  return *id;
}

Result<http::Response> list_evidence(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.evidence(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& v : *list) items.push_back(evidence_json(v));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

// The file is the body (streamed to disk by the server); what the collector says of it comes
// in the query.
Result<http::Response> upload_evidence(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  if (c.req.body_file.empty()) return validation_error("file", "required", "send the file as the request body");
  service::EvidenceUpload in;
  in.incoming = c.req.body_file;
  in.sha256 = c.req.body_sha256;
  in.size = c.req.body_size;
  in.name = std::string(c.query("name").value_or(""));
  in.media_type = std::string(c.req.header("content-type").value_or("application/octet-stream")).substr(0, 255);
  in.description = std::string(c.query("description").value_or(""));
  in.collected_by = std::string(c.query("collected_by").value_or(""));
  in.collected_from = std::string(c.query("collected_from").value_or(""));
  in.method = std::string(c.query("method").value_or(""));
  if (auto v = c.query("collected_at")) {
    auto t = parse_rfc3339(*v);
    if (!t) return validation_error("collected_at", "pattern", "RFC 3339");
    in.collected_at = *t;
  }
  auto v = c.services.incidents.add_evidence(c.who(), *id, in, c.meta);
  if (!v) return v.error();
  return json_response(201, evidence_json(*v));
}

Result<http::Response> transfer_evidence(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto eid = path_evidence(c);
  if (!eid) return eid.error();
  auto v = c.services.incidents.transfer_evidence(c.who(), *id, *eid, body_string(c, "to").value_or(""),
                                                  body_string(c, "note").value_or(""), c.meta);
  if (!v) return v.error();
  return json_response(200, evidence_json(*v));
}

// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name.
std::string content_disposition(const std::string& name) {
  std::string ascii, encoded;
  for (unsigned char ch : name) {
    ascii += (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') ? static_cast<char>(ch) : '_';
    if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') encoded += static_cast<char>(ch);
    else encoded += fmt::format("%{:02X}", ch);
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

Result<http::Response> download_evidence(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto eid = path_evidence(c);
  if (!eid) return eid.error();
  auto d = c.services.incidents.download_evidence(c.who(), *id, *eid, c.meta);
  if (!d) return d.error();
  http::Response r;
  r.status = 200;
  r.body_file = d->path;
  r.set("Content-Type", "application/octet-stream");  // never rendered by the browser
  r.set("Content-Disposition", content_disposition(d->evidence.name));
  r.set("Cache-Control", "no-store");
  r.set("X-Khien-SHA256", d->evidence.sha256);
  return r;
}

// ---- what is owed; saved filters ----

Result<http::Response> list_owed(Ctx& c) {
  auto rows = c.services.incidents.owed(c.who());
  if (!rows) return rows.error();
  boost::json::array items;
  for (const auto& [v, ov] : *rows)
    items.push_back({{"id", v.incident.id.str() + "/" + ov.obligation.rule->id},
                     {"incident_id", v.incident.id.str()},
                     {"reference", v.reference},
                     {"title", v.incident.title},
                     {"organization_id", v.incident.organization.str()},
                     {"organization_name", v.organization_name},
                     {"is_drill", v.incident.is_drill},
                     {"obligation", obligation_json(c, ov)}});
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

boost::json::object filter_json(const service::SavedFilter& f) {
  return {{"id", f.id.str()}, {"name", f.name}, {"query", f.query}, {"created_at", format_rfc3339(f.created_at)}};
}

Result<http::Response> list_filters(Ctx& c) {
  auto list = c.services.incidents.saved_filters(c.who());
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& f : *list) items.push_back(filter_json(f));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> save_filter(Ctx& c) {
  auto f = c.services.incidents.save_filter(c.who(), *body_string(c, "name"), *body_string(c, "query"), c.meta);
  if (!f) return f.error();
  return json_response(201, filter_json(*f));
}

Result<http::Response> delete_filter(Ctx& c) {
  auto id = path_id<service::SavedFilterId>(c);
  if (!id) return id.error();
  KHIEN_TRY(c.services.incidents.delete_filter(c.who(), *id, c.meta));
  return no_content();
}

// ---- follow-up actions and duplicates ----

boost::json::object followup_json(const service::Followup& f) {
  return {{"id", f.id.str()},
          {"incident_id", f.incident.str()},
          {"action", f.action},
          {"owner_id", id_or_null(f.owner)},
          {"owner_name", f.owner_name},
          {"due_at", time_or_null(f.due_at)},
          {"status", f.status},
          {"done_at", time_or_null(f.done_at)},
          {"created_at", format_rfc3339(f.created_at)},
          {"updated_at", format_rfc3339(f.updated_at)}};
}

Result<service::FollowupInput> followup_input(const Ctx& c) {
  service::FollowupInput in;
  in.action = body_string(c, "action");
  if (auto o = body_string(c, "owner_id")) {
    auto id = UserId::parse(*o);
    if (!id) return validation_error("owner_id", "not_found");
    in.owner = std::optional<UserId>(*id);
  } else if (has_null(c, "owner_id")) {
    in.owner = std::optional<UserId>();
  }
  in.owner_name = body_string(c, "owner_name");
  auto due = body_time(c, "due_at");
  if (!due) return due.error();
  if (*due || has_null(c, "due_at")) in.due_at = *due;
  in.status = body_string(c, "status");
  return in;
}

Result<http::Response> list_followups(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.followups(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& f : *list) items.push_back(followup_json(f));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> open_followups(Ctx& c) {
  auto list = c.services.incidents.open_followups(c.who());
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& f : *list) items.push_back(followup_json(f));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_followup(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto in = followup_input(c);
  if (!in) return in.error();
  auto f = c.services.incidents.add_followup(c.who(), *id, *in, c.meta);
  if (!f) return f.error();
  return json_response(201, followup_json(*f));
}

Result<http::Response> update_followup(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto fid = service::FollowupId::parse(c.req.path_param("followup_id").value_or(""));
  if (!fid) return Error("not_found");
  auto in = followup_input(c);
  if (!in) return in.error();
  auto f = c.services.incidents.update_followup(c.who(), *id, *fid, *in, c.meta);
  if (!f) return f.error();
  return json_response(200, followup_json(*f));
}

Result<http::Response> merge_incident(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto version = if_match(c);
  if (!version) return version.error();
  auto into = IncidentId::parse(*body_string(c, "into_id"));
  if (!into) return validation_error("into_id", "not_found");
  auto v = c.services.incidents.merge(c.who(), *id, *version, *into, c.meta);
  if (!v) return v.error();
  return with_etag(json_response(200, incident_json(c, *v)), v->incident.version);
}

// ---- statistics ----

boost::json::object counts(const std::map<std::string, int>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

boost::json::object duration_json(const service::DurationSummary& d) {
  return {{"count", d.count},
          {"mean_minutes", d.mean ? boost::json::value(*d.mean) : nullptr},
          {"median_minutes", d.median ? boost::json::value(*d.median) : nullptr}};
}

Result<http::Response> incident_stats(Ctx& c) {
  const Timestamp now = std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
  Timestamp from = now - std::chrono::days(365);
  Timestamp to = now + std::chrono::minutes(1);
  for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = c.query(name)) {
      auto t = parse_rfc3339(*v);
      if (!t) return validation_error(name, "pattern", "RFC 3339");
      *target = *t;
    }
  }
  const bool drills = c.query("drills").value_or("false") == "true";
  auto s = c.services.statistics.incidents(c.who(), from, to, drills);
  if (!s) return s.error();
  boost::json::object orgs;
  for (const auto& [org, n] : s->by_organization) orgs[org.str()] = n;
  return json_response(200, boost::json::object{{"from", format_rfc3339(from)},
                                                {"to", format_rfc3339(to)},
                                                {"drills_included", drills},
                                                {"total", s->total},
                                                {"serious", s->serious},
                                                {"open", s->open},
                                                {"loop_backs", s->loop_backs},
                                                {"by_scenario", counts(s->by_scenario)},
                                                {"by_cause", counts(s->by_cause)},
                                                {"by_severity", counts(s->by_severity)},
                                                {"by_phase", counts(s->by_phase)},
                                                {"by_month", counts(s->by_month)},
                                                {"by_organization", std::move(orgs)},
                                                {"time_to_detect", duration_json(s->time_to_detect)},
                                                {"time_to_contain", duration_json(s->time_to_contain)},
                                                {"time_to_recover", duration_json(s->time_to_recover)}});
}

// ---- sharing and statements ----

boost::json::object share_json(const service::Share& x) {
  return {{"id", x.id.str()},
          {"incident_id", x.incident.str()},
          {"organization_id", x.organization.str()},
          {"parts", strings(x.parts)},
          {"purpose", x.purpose},
          {"granted_by", id_or_null(x.granted_by)},
          {"granted_at", format_rfc3339(x.granted_at)},
          {"revoked_by", id_or_null(x.revoked_by)},
          {"revoked_at", time_or_null(x.revoked_at)}};
}

Result<http::Response> list_shares(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto shares = c.services.incidents.shares(c.who(), *id);
  if (!shares) return shares.error();
  boost::json::array items;
  for (const auto& x : *shares) items.push_back(share_json(x));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_share(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  service::ShareInput in;
  auto org = OrgId::parse(*body_string(c, "organization_id"));
  if (!org) return validation_error("organization_id", "not_found");
  in.organization = *org;
  in.parts = body_strings(c, "parts");
  in.purpose = body_string(c, "purpose").value_or("");
  auto x = c.services.incidents.share(c.who(), *id, in, c.meta);
  if (!x) return x.error();
  return json_response(201, share_json(*x));
}

Result<http::Response> revoke_share(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto share = service::ShareId::parse(c.req.path_param("share_id").value_or(""));
  if (!share) return Error("not_found");
  auto x = c.services.incidents.revoke_share(c.who(), *id, *share, c.meta);
  if (!x) return x.error();
  return json_response(200, share_json(*x));
}

Result<http::Response> share_targets(Ctx& c) {
  auto orgs = c.services.incidents.share_targets(c.who());
  if (!orgs) return orgs.error();
  boost::json::array items;
  for (const auto& o : *orgs)
    items.push_back({{"id", o.id.str()}, {"name", o.name}, {"kind", domain::org_kind_name(o.kind)}});
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

boost::json::object statement_json(const service::PublicStatement& x) {
  return {{"id", x.id.str()},
          {"incident_id", x.incident.str()},
          {"text", x.text},
          {"channel", x.channel},
          {"published_at", format_rfc3339(x.published_at)},
          {"approved_by", x.approved_by},
          {"created_by", id_or_null(x.created_by)},
          {"created_at", format_rfc3339(x.created_at)}};
}

Result<http::Response> list_statements(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.statements(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& x : *list) items.push_back(statement_json(x));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_statement(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  service::StatementInput in;
  in.text = body_string(c, "text").value_or("");
  in.channel = body_string(c, "channel").value_or("");
  in.approved_by = body_string(c, "approved_by").value_or("");
  auto published = body_time(c, "published_at");
  if (!published) return published.error();
  in.published_at = *published;
  auto x = c.services.incidents.add_statement(c.who(), *id, in, c.meta);
  if (!x) return x.error();
  return json_response(201, statement_json(*x));
}

// ---- the team, requests for support, comments ----

boost::json::object member_json(const service::MemberView& v) {
  const auto& m = v.member;
  return {{"id", m.id.str()},
          {"incident_id", m.incident.str()},
          {"user_id", m.user.str()},
          {"display_name", v.display_name},
          {"organization_id", m.organization.str()},
          {"organization_name", v.organization_name},
          {"role", m.role},
          {"added_by", id_or_null(m.added_by)},
          {"added_at", format_rfc3339(m.added_at)},
          {"removed_by", id_or_null(m.removed_by)},
          {"removed_at", time_or_null(m.removed_at)}};
}

Result<http::Response> list_members(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.members(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& x : *list) items.push_back(member_json(x));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> member_candidates(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.member_candidates(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& x : *list)
    items.push_back({{"user_id", x.user.str()},
                     {"display_name", x.display_name},
                     {"organization_id", x.organization.str()},
                     {"organization_name", x.organization_name}});
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_member(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto user = UserId::parse(body_string(c, "user_id").value_or(""));
  if (!user) return validation_error("user_id", "not_found");
  auto x = c.services.incidents.add_member(c.who(), *id, {*user, body_string(c, "role").value_or("")}, c.meta);
  if (!x) return x.error();
  return json_response(201, member_json(*x));
}

Result<http::Response> remove_member(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto member = service::MemberId::parse(c.req.path_param("member_id").value_or(""));
  if (!member) return Error("not_found");
  auto x = c.services.incidents.remove_member(c.who(), *id, *member, c.meta);
  if (!x) return x.error();
  return json_response(200, member_json(*x));
}

boost::json::object support_json(const service::SupportRequest& x) {
  return {{"id", x.id.str()},
          {"incident_id", x.incident.str()},
          {"organization_id", x.organization.str()},
          {"kinds", strings(x.kinds)},
          {"detail", x.detail},
          {"share_id", id_or_null(x.share)},
          {"requested_by", id_or_null(x.requested_by)},
          {"requested_at", format_rfc3339(x.requested_at)},
          {"status", x.status},
          {"response", x.response},
          {"responded_by", id_or_null(x.responded_by)},
          {"responded_at", time_or_null(x.responded_at)}};
}

Result<http::Response> list_support_requests(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.support_requests(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& x : *list) items.push_back(support_json(x));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> request_support(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto org = OrgId::parse(body_string(c, "organization_id").value_or(""));
  if (!org) return validation_error("organization_id", "not_found");
  service::SupportRequestInput in{*org, body_strings(c, "kinds"), body_string(c, "detail").value_or(""),
                                  body_strings(c, "parts")};
  auto x = c.services.incidents.request_support(c.who(), *id, in, c.meta);
  if (!x) return x.error();
  return json_response(201, support_json(*x));
}

Result<http::Response> answer_support(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto request = service::SupportRequestId::parse(c.req.path_param("request_id").value_or(""));
  if (!request) return Error("not_found");
  service::SupportAnswer in{body_string(c, "status").value_or(""), body_string(c, "response").value_or("")};
  auto x = c.services.incidents.answer_support(c.who(), *id, *request, in, c.meta);
  if (!x) return x.error();
  return json_response(200, support_json(*x));
}

boost::json::object comment_json(const service::CommentView& v) {
  const auto& x = v.comment;
  return {{"id", x.id.str()},
          {"incident_id", x.incident.str()},
          {"organization_id", x.organization.str()},
          {"organization_name", v.organization_name},
          {"author_id", id_or_null(x.author)},
          {"author_name", v.author_name},
          {"text", x.text},
          {"created_at", format_rfc3339(x.created_at)}};
}

Result<http::Response> list_comments(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto list = c.services.incidents.comments(c.who(), *id);
  if (!list) return list.error();
  boost::json::array items;
  for (const auto& x : *list) items.push_back(comment_json(x));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> add_comment(Ctx& c) {
  auto id = path_id<IncidentId>(c);
  if (!id) return id.error();
  auto x = c.services.incidents.add_comment(c.who(), *id, body_string(c, "text").value_or(""), c.meta);
  if (!x) return x.error();
  return json_response(201, comment_json(*x));
}

}  // namespace

void add_incident_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/incidents", list_incidents});
  r.push_back({"POST", "/api/v1/incidents", create_incident});
  r.push_back({"POST", "/api/v1/incidents/report", report_incident});
  r.push_back({"GET", "/api/v1/incidents/{id}", get_incident});
  r.push_back({"PATCH", "/api/v1/incidents/{id}", update_incident});
  r.push_back({"GET", "/api/v1/incidents/{id}/transitions", list_transitions});
  r.push_back({"POST", "/api/v1/incidents/{id}/transitions", take_step});
  r.push_back({"GET", "/api/v1/incidents/{id}/tasks", list_tasks});
  r.push_back({"POST", "/api/v1/incidents/{id}/tasks", add_task});
  r.push_back({"PATCH", "/api/v1/incidents/{id}/tasks/{task_id}", update_task});
  r.push_back({"GET", "/api/v1/incidents/{id}/timeline", list_timeline});
  r.push_back({"POST", "/api/v1/incidents/{id}/timeline", add_timeline});
  r.push_back({"GET", "/api/v1/incidents/{id}/approvals", list_approvals});
  r.push_back({"POST", "/api/v1/incidents/{id}/approvals/{approval_id}/decision", decide});
  r.push_back({"GET", "/api/v1/incidents/{id}/submissions", list_submissions});
  r.push_back({"POST", "/api/v1/incidents/{id}/submissions", record_submission});
  r.push_back({"GET", "/api/v1/incidents/{id}/shares", list_shares});
  r.push_back({"POST", "/api/v1/incidents/{id}/shares", add_share});
  r.push_back({"POST", "/api/v1/incidents/{id}/shares/{share_id}/revoke", revoke_share});
  r.push_back({"GET", "/api/v1/incidents/{id}/statements", list_statements});
  r.push_back({"POST", "/api/v1/incidents/{id}/statements", add_statement});
  r.push_back({"GET", "/api/v1/share-targets", share_targets});
  r.push_back({"GET", "/api/v1/incidents/{id}/members", list_members});
  r.push_back({"POST", "/api/v1/incidents/{id}/members", add_member});
  r.push_back({"POST", "/api/v1/incidents/{id}/members/{member_id}/remove", remove_member});
  r.push_back({"GET", "/api/v1/incidents/{id}/member-candidates", member_candidates});
  r.push_back({"GET", "/api/v1/incidents/{id}/support-requests", list_support_requests});
  r.push_back({"POST", "/api/v1/incidents/{id}/support-requests", request_support});
  r.push_back({"POST", "/api/v1/incidents/{id}/support-requests/{request_id}/answer", answer_support});
  r.push_back({"GET", "/api/v1/incidents/{id}/comments", list_comments});
  r.push_back({"POST", "/api/v1/incidents/{id}/comments", add_comment});
  r.push_back({"GET", "/api/v1/incidents/{id}/followups", list_followups});
  r.push_back({"POST", "/api/v1/incidents/{id}/followups", add_followup});
  r.push_back({"PATCH", "/api/v1/incidents/{id}/followups/{followup_id}", update_followup});
  r.push_back({"GET", "/api/v1/followups", open_followups});
  r.push_back({"POST", "/api/v1/incidents/{id}/merge", merge_incident});
  r.push_back({"GET", "/api/v1/stats/incidents", incident_stats});
  r.push_back({"GET", "/api/v1/obligations", list_owed});
  r.push_back({"GET", "/api/v1/saved-filters", list_filters});
  r.push_back({"POST", "/api/v1/saved-filters", save_filter});
  r.push_back({"DELETE", "/api/v1/saved-filters/{id}", delete_filter});
  r.push_back({"GET", "/api/v1/incidents/{id}/evidence", list_evidence});
  r.push_back({"POST", "/api/v1/incidents/{id}/evidence", upload_evidence, 0, true});
  r.push_back({"POST", "/api/v1/incidents/{id}/evidence/{evidence_id}/transfers", transfer_evidence});
  r.push_back({"GET", "/api/v1/incidents/{id}/evidence/{evidence_id}/content", download_evidence});
  r.push_back({"GET", "/api/v1/incidents/{id}/observables", list_observables});
  r.push_back({"POST", "/api/v1/incidents/{id}/observables", add_observable});
  r.push_back({"PATCH", "/api/v1/incidents/{id}/observables/{observable_id}", update_observable});
  r.push_back({"DELETE", "/api/v1/incidents/{id}/observables/{observable_id}", delete_observable});
}

}  // namespace khien::api
