#include "store/sqlite/incident_tables.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>

namespace khien::store {

using namespace khien::service;
using sqlite::Statement;
using sqlite::opt_ms;
using sqlite::opt_time;

namespace {

std::string json_list(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::vector<std::string> read_list(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

template <class IdType>
std::optional<std::int64_t> opt_id(const std::optional<IdType>& id) {
  if (id) return id->value();
  return std::nullopt;
}
template <class IdType>
std::optional<IdType> read_id(const Statement& s, int col) {
  if (auto v = s.opt_integer(col)) return IdType(*v);
  return std::nullopt;
}

// Columns after id, in the order the binders below use.
template <std::size_t N>
std::string column_list(const std::array<std::string_view, N>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}
template <std::size_t N>
std::string insert_sql(std::string_view table, const std::array<std::string_view, N>& cols) {
  std::string marks;
  for (std::size_t i = 1; i <= N; ++i) marks += (i > 1 ? ",?" : "?") + std::to_string(i);
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", table, column_list(cols), marks);
}
// UPDATE … WHERE id = ?(N+1) AND version = ?(N+2); the caller binds the new version among the
// columns and the old one at N+2.
template <std::size_t N>
std::string update_sql(std::string_view table, const std::array<std::string_view, N>& cols) {
  std::string sets;
  for (std::size_t i = 0; i < N; ++i) sets += fmt::format("{}{} = ?{}", i ? ", " : "", cols[i], i + 1);
  return fmt::format("UPDATE {} SET {} WHERE id = ?{} AND version = ?{}", table, sets, N + 1, N + 2);
}

constexpr std::array<std::string_view, 11> kSystemCols = {
    "organization_id", "name", "description", "owner_unit_id", "operator", "security_level",
    "national_critical", "components", "created_at", "updated_at", "version"};

void bind_system(Statement& s, const InformationSystem& x) {
  s.bind(1, x.organization.value()).bind(2, x.name).bind(3, x.description).bind(4, opt_id(x.owner_unit));
  s.bind(5, x.operator_name).bind(6, x.security_level).bind(7, x.national_critical).bind(8, json_list(x.components));
  s.bind(9, to_unix_ms(x.created_at)).bind(10, to_unix_ms(x.updated_at)).bind(11, x.version);
}
InformationSystem read_system(const Statement& s) {
  InformationSystem x;
  x.id = SystemId(s.integer(0));
  x.organization = OrgId(s.integer(1));
  x.name = s.text(2);
  x.description = s.text(3);
  x.owner_unit = read_id<OrgId>(s, 4);
  x.operator_name = s.text(5);
  if (auto l = s.opt_integer(6)) x.security_level = static_cast<int>(*l);
  x.national_critical = s.integer(7) != 0;
  x.components = read_list(s.text(8));
  x.created_at = from_unix_ms(s.integer(9));
  x.updated_at = from_unix_ms(s.integer(10));
  x.version = s.integer(11);
  return x;
}

constexpr std::array<std::string_view, 44> kIncidentCols = {
    "organization_id", "number", "year", "title", "description", "phase", "source", "reporter_id",
    "reporter_contact", "external_organization", "external_reference", "external_date", "detected_at",
    "occurred_at", "scenario", "cause_class", "severity", "tlp", "impacts", "beyond_capacity",
    "beyond_capacity_at", "personal_data_breach", "national_security", "serious", "serious_at",
    "serious_override", "serious_override_reason", "approval_required", "response_option", "root_cause",
    "lessons_learned", "attack_origin", "spokesperson_id", "loop_count", "response_ended_at", "closed_at",
    "is_drill", "profile", "merged_into", "created_by", "created_at", "updated_at", "version", "contained_at"};

void bind_incident(Statement& s, const Incident& i) {
  s.bind(1, i.organization.value()).bind(2, i.number).bind(3, i.year).bind(4, i.title).bind(5, i.description);
  s.bind(6, domain::phase_name(i.phase)).bind(7, i.source).bind(8, opt_id(i.reporter)).bind(9, i.reporter_contact);
  s.bind(10, i.external_organization).bind(11, i.external_reference).bind(12, i.external_date);
  s.bind(13, to_unix_ms(i.detected_at)).bind(14, opt_ms(i.occurred_at)).bind(15, i.scenario).bind(16, i.cause_class);
  s.bind(17, i.severity).bind(18, i.tlp).bind(19, json_list(i.impacts)).bind(20, i.beyond_capacity);
  s.bind(21, opt_ms(i.beyond_capacity_at)).bind(22, i.personal_data_breach).bind(23, i.national_security);
  s.bind(24, i.serious).bind(25, opt_ms(i.serious_at)).bind(26, i.serious_override);
  s.bind(27, i.serious_override_reason).bind(28, i.approval_required).bind(29, i.response_option);
  s.bind(30, i.root_cause).bind(31, i.lessons_learned).bind(32, i.attack_origin).bind(33, opt_id(i.spokesperson));
  s.bind(34, i.loop_count).bind(35, opt_ms(i.response_ended_at)).bind(36, opt_ms(i.closed_at)).bind(37, i.is_drill);
  s.bind(38, i.profile).bind(39, opt_id(i.merged_into)).bind(40, opt_id(i.created_by));
  s.bind(41, to_unix_ms(i.created_at)).bind(42, to_unix_ms(i.updated_at)).bind(43, i.version);
  s.bind(44, opt_ms(i.contained_at));
}
Incident read_incident(const Statement& s) {
  Incident i;
  i.id = IncidentId(s.integer(0));
  i.organization = OrgId(s.integer(1));
  i.number = static_cast<int>(s.integer(2));
  i.year = static_cast<int>(s.integer(3));
  i.title = s.text(4);
  i.description = s.text(5);
  i.phase = domain::parse_phase(s.text(6)).value_or(domain::Phase::kReceived);
  i.source = s.text(7);
  i.reporter = read_id<UserId>(s, 8);
  i.reporter_contact = s.text(9);
  i.external_organization = s.text(10);
  i.external_reference = s.text(11);
  i.external_date = s.text(12);
  i.detected_at = from_unix_ms(s.integer(13));
  i.occurred_at = opt_time(s, 14);
  i.scenario = s.opt_text(15);
  i.cause_class = s.opt_text(16);
  i.severity = s.opt_text(17);
  i.tlp = s.text(18);
  i.impacts = read_list(s.text(19));
  i.beyond_capacity = s.integer(20) != 0;
  i.beyond_capacity_at = opt_time(s, 21);
  i.personal_data_breach = s.integer(22) != 0;
  i.national_security = s.integer(23) != 0;
  i.serious = s.integer(24) != 0;
  i.serious_at = opt_time(s, 25);
  if (auto o = s.opt_integer(26)) i.serious_override = *o != 0;
  i.serious_override_reason = s.text(27);
  i.approval_required = s.integer(28) != 0;
  i.response_option = s.text(29);
  i.root_cause = s.text(30);
  i.lessons_learned = s.text(31);
  i.attack_origin = s.text(32);
  i.spokesperson = read_id<UserId>(s, 33);
  i.loop_count = static_cast<int>(s.integer(34));
  i.response_ended_at = opt_time(s, 35);
  i.closed_at = opt_time(s, 36);
  i.is_drill = s.integer(37) != 0;
  i.profile = s.text(38);
  i.merged_into = read_id<IncidentId>(s, 39);
  i.created_by = read_id<UserId>(s, 40);
  i.created_at = from_unix_ms(s.integer(41));
  i.updated_at = from_unix_ms(s.integer(42));
  i.version = s.integer(43);
  i.contained_at = opt_time(s, 44);
  return i;
}

constexpr std::array<std::string_view, 18> kTaskCols = {
    "incident_id", "organization_id", "phase", "title", "detail", "playbook_step", "responsible", "coordinating",
    "assignee_id", "due_at", "status", "notes", "created_by", "created_at", "updated_at", "completed_at", "version",
    "id"};  // id last: bound only on insert as NULL

void bind_task(Statement& s, const Task& t) {
  s.bind(1, t.incident.value()).bind(2, t.organization.value()).bind(3, domain::phase_name(t.phase));
  s.bind(4, t.title).bind(5, t.detail).bind(6, t.playbook_step).bind(7, t.responsible);
  s.bind(8, json_list(t.coordinating)).bind(9, opt_id(t.assignee)).bind(10, opt_ms(t.due_at)).bind(11, t.status);
  s.bind(12, t.notes).bind(13, opt_id(t.created_by)).bind(14, to_unix_ms(t.created_at));
  s.bind(15, to_unix_ms(t.updated_at)).bind(16, opt_ms(t.completed_at)).bind(17, t.version);
}
Task read_task(const Statement& s) {
  Task t;
  t.incident = IncidentId(s.integer(0));
  t.organization = OrgId(s.integer(1));
  t.phase = domain::parse_phase(s.text(2)).value_or(domain::Phase::kContainment);
  t.title = s.text(3);
  t.detail = s.text(4);
  t.playbook_step = s.opt_text(5);
  t.responsible = s.text(6);
  t.coordinating = read_list(s.text(7));
  t.assignee = read_id<UserId>(s, 8);
  t.due_at = opt_time(s, 9);
  t.status = s.text(10);
  t.notes = s.text(11);
  t.created_by = read_id<UserId>(s, 12);
  t.created_at = from_unix_ms(s.integer(13));
  t.updated_at = from_unix_ms(s.integer(14));
  t.completed_at = opt_time(s, 15);
  t.version = s.integer(16);
  t.id = TaskId(s.integer(17));
  return t;
}

// A user's text as an FTS5 query: each word a quoted phrase (so no operator syntax gets
// through), the last one a prefix.
std::string fts_query(const std::string& text) {
  std::string out, word;
  const auto flush = [&] {
    if (word.empty()) return;
    std::string quoted = "\"";
    for (char c : word) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += (out.empty() ? "" : " ") + quoted + "\"";
    word.clear();
  };
  std::string folded;
  for (std::size_t k = 0; k < text.size(); ++k) {
    // "đ" (C4 91) and "Đ" (C4 90) are indexed as "d" and "D".
    if (static_cast<unsigned char>(text[k]) == 0xC4 && k + 1 < text.size() &&
        (static_cast<unsigned char>(text[k + 1]) == 0x91 || static_cast<unsigned char>(text[k + 1]) == 0x90)) {
      folded += static_cast<unsigned char>(text[k + 1]) == 0x91 ? 'd' : 'D';
      ++k;
    } else {
      folded += text[k];
    }
  }
  for (char c : folded) {
    if (c == ' ' || c == '\t' || c == '\n') flush();
    else word += c;
  }
  flush();
  if (!out.empty()) out += "*";
  return out;
}

std::string marks(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

}  // namespace

// ---- systems ----

std::vector<InformationSystem> SqliteIncidentTables::list_systems(OrgId organization) {
  auto& s = db_.prepare(fmt::format("SELECT id, {} FROM systems WHERE organization_id = ? ORDER BY name, id",
                                    column_list(kSystemCols)));
  s.bind(1, organization.value());
  std::vector<InformationSystem> out;
  while (s.step()) out.push_back(read_system(s));
  return out;
}

std::optional<InformationSystem> SqliteIncidentTables::find_system(SystemId id) {
  auto& s = db_.prepare(fmt::format("SELECT id, {} FROM systems WHERE id = ?", column_list(kSystemCols)));
  s.bind(1, id.value());
  if (s.step()) return read_system(s);
  return std::nullopt;
}

SystemId SqliteIncidentTables::insert_system(const InformationSystem& x) {
  auto& s = db_.prepare(insert_sql("systems", kSystemCols));
  bind_system(s, x);
  s.run();
  return SystemId(db_.last_insert_id());
}

bool SqliteIncidentTables::update_system(const InformationSystem& x) {
  auto& s = db_.prepare(update_sql("systems", kSystemCols));
  bind_system(s, x);
  s.bind(static_cast<int>(kSystemCols.size()) + 1, x.id.value()).bind(static_cast<int>(kSystemCols.size()) + 2, x.version - 1);
  s.run();
  return db_.changes() == 1;
}

// ---- incidents ----

std::vector<SystemId> SqliteIncidentTables::incident_systems(IncidentId id) {
  auto& s = db_.prepare("SELECT system_id FROM incident_systems WHERE incident_id = ? ORDER BY system_id");
  s.bind(1, id.value());
  std::vector<SystemId> out;
  while (s.step()) out.emplace_back(s.integer(0));
  return out;
}

void SqliteIncidentTables::write_incident_systems(const Incident& incident) {
  db_.prepare("DELETE FROM incident_systems WHERE incident_id = ?").bind(1, incident.id.value()).run();
  for (SystemId sid : incident.systems)
    db_.prepare("INSERT INTO incident_systems (incident_id, system_id) VALUES (?, ?)")
        .bind(1, incident.id.value())
        .bind(2, sid.value())
        .run();
}

std::optional<Incident> SqliteIncidentTables::find_incident(IncidentId id) {
  auto& s = db_.prepare(fmt::format("SELECT id, {} FROM incidents WHERE id = ?", column_list(kIncidentCols)));
  s.bind(1, id.value());
  if (!s.step()) return std::nullopt;
  Incident i = read_incident(s);
  s.reset();
  i.systems = incident_systems(i.id);
  return i;
}

std::vector<Incident> SqliteIncidentTables::list_incidents(const IncidentFilter& f) {
  std::vector<std::string> where;
  std::vector<std::function<void(Statement&, int&)>> binds;
  const auto bind_text = [&](std::string v) { binds.push_back([v](Statement& s, int& n) { s.bind(n++, v); }); };
  const auto bind_int = [&](std::int64_t v) { binds.push_back([v](Statement& s, int& n) { s.bind(n++, v); }); };

  std::string owner = "organization_id IN (" + marks(f.organizations.size()) + ")";
  for (OrgId o : f.organizations) bind_int(o.value());
  if (!f.also.empty()) {
    owner = "(" + owner + " OR id IN (" + marks(f.also.size()) + "))";
    for (IncidentId i : f.also) bind_int(i.value());
  }
  where.push_back(owner);
  if (!f.phases.empty()) {
    where.push_back("phase IN (" + marks(f.phases.size()) + ")");
    for (const auto& p : f.phases) bind_text(p);
  }
  if (f.scenario) where.push_back("scenario = ?"), bind_text(*f.scenario);
  if (f.severity) where.push_back("severity = ?"), bind_text(*f.severity);
  if (f.serious) where.push_back("serious = ?"), bind_int(*f.serious ? 1 : 0);
  if (f.drill) where.push_back("is_drill = ?"), bind_int(*f.drill ? 1 : 0);
  if (!f.include_merged) where.push_back("merged_into IS NULL");
  if (f.detected_from) where.push_back("detected_at >= ?"), bind_int(to_unix_ms(*f.detected_from));
  if (f.detected_to) where.push_back("detected_at < ?"), bind_int(to_unix_ms(*f.detected_to));
  const bool desc = f.sort.starts_with('-');
  const std::string key = (desc ? f.sort.substr(1) : f.sort) == "detected_at" ? "detected_at" : "created_at";
  const std::string dir = desc ? "DESC" : "ASC";
  const std::string q = f.text ? fts_query(*f.text) : std::string();
  // Searching in the order of creation walks the full-text index by incident id (the order
  // incidents are recorded in, as created_at is) and stops at the page's end; any other order
  // gathers every match first.
  const bool walk_index = !q.empty() && key == "created_at";
  if (!q.empty() && !walk_index) {
    where.push_back("id IN (SELECT rowid FROM incident_search WHERE incident_search MATCH ?)");
    bind_text(q);
  }
  if (f.cursor_key && f.cursor_id && walk_index) {
    where.push_back(fmt::format("id {} ?", desc ? "<" : ">"));
    bind_int(*f.cursor_id);
  } else if (f.cursor_key && f.cursor_id) {
    where.push_back(fmt::format("({0} {1} ? OR ({0} = ? AND id {1} ?))", key, desc ? "<" : ">"));
    const std::int64_t k = std::stoll(*f.cursor_key);
    bind_int(k);
    bind_int(k);
    bind_int(*f.cursor_id);
  }
  std::string sql;
  if (walk_index)
    sql = fmt::format("SELECT id, {} FROM incident_search JOIN incidents ON incidents.id = incident_search.rowid "
                      "WHERE incident_search MATCH ? AND ", column_list(kIncidentCols));
  else
    sql = fmt::format("SELECT id, {} FROM incidents WHERE ", column_list(kIncidentCols));
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : "") + where[i];
  if (walk_index) sql += fmt::format(" ORDER BY incident_search.rowid {} LIMIT ?", dir);
  else sql += fmt::format(" ORDER BY {0} {1}, id {1} LIMIT ?", key, dir);
  bind_int(f.limit);

  auto& s = db_.prepare(sql);
  int n = 1;
  if (walk_index) s.bind(n++, q);
  for (auto& b : binds) b(s, n);
  std::vector<Incident> out;
  while (s.step()) out.push_back(read_incident(s));
  s.reset();
  for (auto& i : out) i.systems = incident_systems(i.id);
  return out;
}

int SqliteIncidentTables::next_incident_number(OrgId organization, int year) {
  auto& s = db_.prepare("SELECT COALESCE(MAX(number), 0) + 1 FROM incidents WHERE organization_id = ? AND year = ?");
  s.bind(1, organization.value()).bind(2, year);
  s.step();
  return static_cast<int>(s.integer(0));
}

IncidentId SqliteIncidentTables::insert_incident(const Incident& incident) {
  auto& s = db_.prepare(insert_sql("incidents", kIncidentCols));
  bind_incident(s, incident);
  s.run();
  Incident stored = incident;
  stored.id = IncidentId(db_.last_insert_id());
  write_incident_systems(stored);
  return stored.id;
}

bool SqliteIncidentTables::update_incident(const Incident& incident) {
  auto& s = db_.prepare(update_sql("incidents", kIncidentCols));
  bind_incident(s, incident);
  s.bind(static_cast<int>(kIncidentCols.size()) + 1, incident.id.value());
  s.bind(static_cast<int>(kIncidentCols.size()) + 2, incident.version - 1);
  s.run();
  if (db_.changes() != 1) return false;
  write_incident_systems(incident);
  return true;
}

// ---- transitions ----

void SqliteIncidentTables::insert_transition(const TransitionRecord& t) {
  db_.prepare("INSERT INTO incident_transitions (incident_id, step, from_phase, to_phase, reason, actor_id, at) "
              "VALUES (?,?,?,?,?,?,?)")
      .bind(1, t.incident.value())
      .bind(2, t.step)
      .bind(3, domain::phase_name(t.from))
      .bind(4, domain::phase_name(t.to))
      .bind(5, t.reason)
      .bind(6, opt_id(t.actor))
      .bind(7, to_unix_ms(t.at))
      .run();
}

std::vector<TransitionRecord> SqliteIncidentTables::list_transitions(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT t.id, t.step, t.from_phase, t.to_phase, t.reason, t.actor_id, COALESCE(u.display_name, ''), t.at "
      "FROM incident_transitions t LEFT JOIN users u ON u.id = t.actor_id WHERE t.incident_id = ? ORDER BY t.id");
  s.bind(1, incident.value());
  std::vector<TransitionRecord> out;
  while (s.step()) {
    TransitionRecord t;
    t.id = s.integer(0);
    t.incident = incident;
    t.step = s.text(1);
    t.from = domain::parse_phase(s.text(2)).value_or(domain::Phase::kReceived);
    t.to = domain::parse_phase(s.text(3)).value_or(domain::Phase::kReceived);
    t.reason = s.text(4);
    t.actor = read_id<UserId>(s, 5);
    t.actor_name = s.text(6);
    t.at = from_unix_ms(s.integer(7));
    out.push_back(std::move(t));
  }
  return out;
}

// ---- tasks ----

TaskId SqliteIncidentTables::insert_task(const Task& task) {
  auto& s = db_.prepare(insert_sql("tasks", kTaskCols));
  bind_task(s, task);
  s.bind_null(18);
  s.run();
  return TaskId(db_.last_insert_id());
}

bool SqliteIncidentTables::update_task(const Task& task) {
  static const std::string sql = [] {
    std::array<std::string_view, 17> cols{};
    std::copy(kTaskCols.begin(), kTaskCols.end() - 1, cols.begin());
    return update_sql("tasks", cols);
  }();
  auto& s = db_.prepare(sql);
  bind_task(s, task);
  s.bind(18, task.id.value()).bind(19, task.version - 1);
  s.run();
  return db_.changes() == 1;
}

std::optional<Task> SqliteIncidentTables::find_task(TaskId id) {
  auto& s = db_.prepare(fmt::format("SELECT {} FROM tasks WHERE id = ?", column_list(kTaskCols)));
  s.bind(1, id.value());
  if (s.step()) return read_task(s);
  return std::nullopt;
}

std::vector<Task> SqliteIncidentTables::list_tasks(IncidentId incident) {
  auto& s = db_.prepare(fmt::format("SELECT {} FROM tasks WHERE incident_id = ? ORDER BY id", column_list(kTaskCols)));
  s.bind(1, incident.value());
  std::vector<Task> out;
  while (s.step()) out.push_back(read_task(s));
  return out;
}

// ---- timeline ----

TimelineId SqliteIncidentTables::insert_timeline(const TimelineEntry& e) {
  db_.prepare("INSERT INTO timeline_entries (incident_id, organization_id, happened_at, recorded_at, kind, source, text, "
              "techniques, actor_id) VALUES (?,?,?,?,?,?,?,?,?)")
      .bind(1, e.incident.value())
      .bind(2, e.organization.value())
      .bind(3, to_unix_ms(e.happened_at))
      .bind(4, to_unix_ms(e.recorded_at))
      .bind(5, e.kind)
      .bind(6, e.source)
      .bind(7, e.text)
      .bind(8, json_list(e.techniques))
      .bind(9, opt_id(e.actor))
      .run();
  return TimelineId(db_.last_insert_id());
}

std::vector<TimelineEntry> SqliteIncidentTables::list_timeline(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT e.id, e.organization_id, e.happened_at, e.recorded_at, e.kind, e.source, e.text, e.techniques, "
      "e.actor_id, COALESCE(u.display_name, '') FROM timeline_entries e LEFT JOIN users u ON u.id = e.actor_id "
      "WHERE e.incident_id = ? ORDER BY e.happened_at, e.id");
  s.bind(1, incident.value());
  std::vector<TimelineEntry> out;
  while (s.step()) {
    TimelineEntry e;
    e.id = TimelineId(s.integer(0));
    e.incident = incident;
    e.organization = OrgId(s.integer(1));
    e.happened_at = from_unix_ms(s.integer(2));
    e.recorded_at = from_unix_ms(s.integer(3));
    e.kind = s.text(4);
    e.source = s.text(5);
    e.text = s.text(6);
    e.techniques = read_list(s.text(7));
    e.actor = read_id<UserId>(s, 8);
    e.actor_name = s.text(9);
    out.push_back(std::move(e));
  }
  return out;
}

// ---- approvals ----

ApprovalId SqliteIncidentTables::insert_approval(const Approval& a) {
  db_.prepare("INSERT INTO approvals (incident_id, response_option, approver_kind, approver_org_id, request_note, "
              "requested_by, requested_at) VALUES (?,?,?,?,?,?,?)")
      .bind(1, a.incident.value())
      .bind(2, a.response_option)
      .bind(3, a.approver_kind)
      .bind(4, opt_id(a.approver_organization))
      .bind(5, a.request_note)
      .bind(6, opt_id(a.requested_by))
      .bind(7, to_unix_ms(a.requested_at))
      .run();
  return ApprovalId(db_.last_insert_id());
}

void SqliteIncidentTables::update_approval(const Approval& a) {
  db_.prepare("UPDATE approvals SET decision = ?, comment = ?, decider_name = ?, document_reference = ?, "
              "decided_by = ?, decided_at = ? WHERE id = ?")
      .bind(1, a.decision)
      .bind(2, a.comment)
      .bind(3, a.decider_name)
      .bind(4, a.document_reference)
      .bind(5, opt_id(a.decided_by))
      .bind(6, opt_ms(a.decided_at))
      .bind(7, a.id.value())
      .run();
}

std::vector<Approval> SqliteIncidentTables::list_approvals(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, response_option, approver_kind, approver_org_id, request_note, requested_by, requested_at, decision, "
      "comment, decider_name, document_reference, decided_by, decided_at FROM approvals WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<Approval> out;
  while (s.step()) {
    Approval a;
    a.id = ApprovalId(s.integer(0));
    a.incident = incident;
    a.response_option = s.text(1);
    a.approver_kind = s.text(2);
    a.approver_organization = read_id<OrgId>(s, 3);
    a.request_note = s.text(4);
    a.requested_by = read_id<UserId>(s, 5);
    a.requested_at = from_unix_ms(s.integer(6));
    a.decision = s.opt_text(7);
    a.comment = s.text(8);
    a.decider_name = s.text(9);
    a.document_reference = s.text(10);
    a.decided_by = read_id<UserId>(s, 11);
    a.decided_at = opt_time(s, 12);
    out.push_back(std::move(a));
  }
  return out;
}

// ---- report submissions ----

SubmissionId SqliteIncidentTables::insert_submission(const ReportSubmission& r) {
  db_.prepare("INSERT INTO report_submissions (incident_id, obligation, channel, recipients, reference, sent_at, note, "
              "recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)")
      .bind(1, r.incident.value())
      .bind(2, r.obligation)
      .bind(3, r.channel)
      .bind(4, json_list(r.recipients))
      .bind(5, r.reference)
      .bind(6, to_unix_ms(r.sent_at))
      .bind(7, r.note)
      .bind(8, opt_id(r.recorded_by))
      .bind(9, to_unix_ms(r.recorded_at))
      .run();
  return SubmissionId(db_.last_insert_id());
}

std::vector<ReportSubmission> SqliteIncidentTables::list_submissions(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, obligation, channel, recipients, reference, sent_at, note, recorded_by, recorded_at "
      "FROM report_submissions WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<ReportSubmission> out;
  while (s.step()) {
    ReportSubmission r;
    r.id = SubmissionId(s.integer(0));
    r.incident = incident;
    r.obligation = s.text(1);
    r.channel = s.text(2);
    r.recipients = read_list(s.text(3));
    r.reference = s.text(4);
    r.sent_at = from_unix_ms(s.integer(5));
    r.note = s.text(6);
    r.recorded_by = read_id<UserId>(s, 7);
    r.recorded_at = from_unix_ms(s.integer(8));
    out.push_back(std::move(r));
  }
  return out;
}

// ---- shares ----

ShareId SqliteIncidentTables::insert_share(const Share& x) {
  db_.prepare("INSERT INTO shares (incident_id, organization_id, parts, purpose, granted_by, granted_at) VALUES (?,?,?,?,?,?)")
      .bind(1, x.incident.value())
      .bind(2, x.organization.value())
      .bind(3, json_list(x.parts))
      .bind(4, x.purpose)
      .bind(5, opt_id(x.granted_by))
      .bind(6, to_unix_ms(x.granted_at))
      .run();
  return ShareId(db_.last_insert_id());
}

void SqliteIncidentTables::revoke_share(const Share& x) {
  db_.prepare("UPDATE shares SET revoked_by = ?, revoked_at = ? WHERE id = ?")
      .bind(1, opt_id(x.revoked_by))
      .bind(2, opt_ms(x.revoked_at))
      .bind(3, x.id.value())
      .run();
}

std::vector<Share> SqliteIncidentTables::list_shares(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, organization_id, parts, purpose, granted_by, granted_at, revoked_by, revoked_at FROM shares "
      "WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<Share> out;
  while (s.step()) {
    Share x;
    x.id = ShareId(s.integer(0));
    x.incident = incident;
    x.organization = OrgId(s.integer(1));
    x.parts = read_list(s.text(2));
    x.purpose = s.text(3);
    x.granted_by = read_id<UserId>(s, 4);
    x.granted_at = from_unix_ms(s.integer(5));
    x.revoked_by = read_id<UserId>(s, 6);
    x.revoked_at = opt_time(s, 7);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<IncidentId> SqliteIncidentTables::shared_with(OrgId organization) {
  auto& s = db_.prepare(
      "SELECT DISTINCT incident_id FROM shares WHERE organization_id = ? AND revoked_at IS NULL ORDER BY incident_id");
  s.bind(1, organization.value());
  std::vector<IncidentId> out;
  while (s.step()) out.emplace_back(s.integer(0));
  return out;
}

// ---- members ----

MemberId SqliteIncidentTables::insert_member(const IncidentMember& x) {
  db_.prepare("INSERT INTO incident_members (incident_id, user_id, organization_id, role, added_by, added_at) "
              "VALUES (?,?,?,?,?,?)")
      .bind(1, x.incident.value())
      .bind(2, x.user.value())
      .bind(3, x.organization.value())
      .bind(4, x.role)
      .bind(5, opt_id(x.added_by))
      .bind(6, to_unix_ms(x.added_at))
      .run();
  return MemberId(db_.last_insert_id());
}

void SqliteIncidentTables::remove_member(const IncidentMember& x) {
  db_.prepare("UPDATE incident_members SET removed_by = ?, removed_at = ? WHERE id = ?")
      .bind(1, opt_id(x.removed_by))
      .bind(2, opt_ms(x.removed_at))
      .bind(3, x.id.value())
      .run();
}

std::vector<IncidentMember> SqliteIncidentTables::list_members(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, user_id, organization_id, role, added_by, added_at, removed_by, removed_at FROM incident_members "
      "WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<IncidentMember> out;
  while (s.step()) {
    IncidentMember x;
    x.id = MemberId(s.integer(0));
    x.incident = incident;
    x.user = UserId(s.integer(1));
    x.organization = OrgId(s.integer(2));
    x.role = s.text(3);
    x.added_by = read_id<UserId>(s, 4);
    x.added_at = from_unix_ms(s.integer(5));
    x.removed_by = read_id<UserId>(s, 6);
    x.removed_at = opt_time(s, 7);
    out.push_back(std::move(x));
  }
  return out;
}

// ---- support requests ----

SupportRequestId SqliteIncidentTables::insert_support_request(const SupportRequest& x) {
  db_.prepare("INSERT INTO support_requests (incident_id, organization_id, kinds, detail, share_id, requested_by, "
              "requested_at, status) VALUES (?,?,?,?,?,?,?,?)")
      .bind(1, x.incident.value())
      .bind(2, x.organization.value())
      .bind(3, json_list(x.kinds))
      .bind(4, x.detail)
      .bind(5, opt_id(x.share))
      .bind(6, opt_id(x.requested_by))
      .bind(7, to_unix_ms(x.requested_at))
      .bind(8, x.status)
      .run();
  return SupportRequestId(db_.last_insert_id());
}

void SqliteIncidentTables::update_support_request(const SupportRequest& x) {
  db_.prepare("UPDATE support_requests SET status = ?, response = ?, responded_by = ?, responded_at = ? WHERE id = ?")
      .bind(1, x.status)
      .bind(2, x.response)
      .bind(3, opt_id(x.responded_by))
      .bind(4, opt_ms(x.responded_at))
      .bind(5, x.id.value())
      .run();
}

std::vector<SupportRequest> SqliteIncidentTables::list_support_requests(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, organization_id, kinds, detail, share_id, requested_by, requested_at, status, response, responded_by, "
      "responded_at FROM support_requests WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<SupportRequest> out;
  while (s.step()) {
    SupportRequest x;
    x.id = SupportRequestId(s.integer(0));
    x.incident = incident;
    x.organization = OrgId(s.integer(1));
    x.kinds = read_list(s.text(2));
    x.detail = s.text(3);
    x.share = read_id<ShareId>(s, 4);
    x.requested_by = read_id<UserId>(s, 5);
    x.requested_at = from_unix_ms(s.integer(6));
    x.status = s.text(7);
    x.response = s.text(8);
    x.responded_by = read_id<UserId>(s, 9);
    x.responded_at = opt_time(s, 10);
    out.push_back(std::move(x));
  }
  return out;
}

// ---- comments ----

CommentId SqliteIncidentTables::insert_comment(const Comment& x) {
  db_.prepare("INSERT INTO comments (incident_id, organization_id, author_id, text, created_at) VALUES (?,?,?,?,?)")
      .bind(1, x.incident.value())
      .bind(2, x.organization.value())
      .bind(3, opt_id(x.author))
      .bind(4, x.text)
      .bind(5, to_unix_ms(x.created_at))
      .run();
  return CommentId(db_.last_insert_id());
}

std::vector<Comment> SqliteIncidentTables::list_comments(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, organization_id, author_id, text, created_at FROM comments WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<Comment> out;
  while (s.step()) {
    Comment x;
    x.id = CommentId(s.integer(0));
    x.incident = incident;
    x.organization = OrgId(s.integer(1));
    x.author = read_id<UserId>(s, 2);
    x.text = s.text(3);
    x.created_at = from_unix_ms(s.integer(4));
    out.push_back(std::move(x));
  }
  return out;
}

// ---- statements ----

StatementId SqliteIncidentTables::insert_statement(const PublicStatement& x) {
  db_.prepare("INSERT INTO statements (incident_id, text, channel, published_at, approved_by, created_by, created_at) "
              "VALUES (?,?,?,?,?,?,?)")
      .bind(1, x.incident.value())
      .bind(2, x.text)
      .bind(3, x.channel)
      .bind(4, to_unix_ms(x.published_at))
      .bind(5, x.approved_by)
      .bind(6, opt_id(x.created_by))
      .bind(7, to_unix_ms(x.created_at))
      .run();
  return StatementId(db_.last_insert_id());
}

std::vector<PublicStatement> SqliteIncidentTables::list_statements(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, text, channel, published_at, approved_by, created_by, created_at FROM statements "
      "WHERE incident_id = ? ORDER BY published_at, id");
  s.bind(1, incident.value());
  std::vector<PublicStatement> out;
  while (s.step()) {
    PublicStatement x;
    x.id = StatementId(s.integer(0));
    x.incident = incident;
    x.text = s.text(1);
    x.channel = s.text(2);
    x.published_at = from_unix_ms(s.integer(3));
    x.approved_by = s.text(4);
    x.created_by = read_id<UserId>(s, 5);
    x.created_at = from_unix_ms(s.integer(6));
    out.push_back(std::move(x));
  }
  return out;
}

// ---- observables ----

ObservableId SqliteIncidentTables::insert_observable(const Observable& o) {
  db_.prepare("INSERT INTO observables (incident_id, kind, value, original, tlp, tags, is_ioc, note, created_by, created_at) "
              "VALUES (?,?,?,?,?,?,?,?,?,?)")
      .bind(1, o.incident.value())
      .bind(2, o.kind)
      .bind(3, o.value)
      .bind(4, o.original)
      .bind(5, o.tlp)
      .bind(6, json_list(o.tags))
      .bind(7, o.is_ioc)
      .bind(8, o.note)
      .bind(9, opt_id(o.created_by))
      .bind(10, to_unix_ms(o.created_at))
      .run();
  return ObservableId(db_.last_insert_id());
}

void SqliteIncidentTables::update_observable(const Observable& o) {
  db_.prepare("UPDATE observables SET tlp = ?, tags = ?, is_ioc = ?, note = ? WHERE id = ?")
      .bind(1, o.tlp)
      .bind(2, json_list(o.tags))
      .bind(3, o.is_ioc)
      .bind(4, o.note)
      .bind(5, o.id.value())
      .run();
}

void SqliteIncidentTables::delete_observable(ObservableId id) {
  db_.prepare("DELETE FROM observables WHERE id = ?").bind(1, id.value()).run();
}

std::vector<Observable> SqliteIncidentTables::list_observables(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, kind, value, original, tlp, tags, is_ioc, note, created_by, created_at FROM observables "
      "WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<Observable> out;
  while (s.step()) {
    Observable o;
    o.id = ObservableId(s.integer(0));
    o.incident = incident;
    o.kind = s.text(1);
    o.value = s.text(2);
    o.original = s.text(3);
    o.tlp = s.text(4);
    o.tags = read_list(s.text(5));
    o.is_ioc = s.integer(6) != 0;
    o.note = s.text(7);
    o.created_by = read_id<UserId>(s, 8);
    o.created_at = from_unix_ms(s.integer(9));
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Sighting> SqliteIncidentTables::sightings(const std::string& kind, const std::string& value, IncidentId except,
                                                     const std::vector<OrgId>& organizations,
                                                     const std::vector<IncidentId>& also) {
  std::string sql =
      "SELECT DISTINCT i.id, i.organization_id, i.year, i.number, i.title FROM observables o "
      "JOIN incidents i ON i.id = o.incident_id WHERE o.kind = ? AND o.value = ? AND i.id != ? AND (i.organization_id IN (" +
      marks(organizations.size()) + ")";
  if (!also.empty()) sql += " OR i.id IN (" + marks(also.size()) + ")";
  sql += ") ORDER BY i.id DESC LIMIT 50";
  auto& s = db_.prepare(sql);
  int n = 1;
  s.bind(1, kind).bind(2, value).bind(3, except.value());
  n = 4;
  for (OrgId o : organizations) s.bind(n++, o.value());
  for (IncidentId i : also) s.bind(n++, i.value());
  std::vector<Sighting> out;
  while (s.step())
    out.push_back({IncidentId(s.integer(0)), OrgId(s.integer(1)),
                   fmt::format("{}-{:04}", s.integer(2), s.integer(3)), s.text(4)});
  return out;
}

// ---- follow-up actions ----

namespace {
constexpr std::string_view kFollowupCols =
    "id, incident_id, action, owner_id, owner_name, due_at, status, done_at, created_by, created_at, updated_at";
Followup read_followup(const Statement& s) {
  Followup f;
  f.id = FollowupId(s.integer(0));
  f.incident = IncidentId(s.integer(1));
  f.action = s.text(2);
  f.owner = read_id<UserId>(s, 3);
  f.owner_name = s.text(4);
  f.due_at = opt_time(s, 5);
  f.status = s.text(6);
  f.done_at = opt_time(s, 7);
  f.created_by = read_id<UserId>(s, 8);
  f.created_at = from_unix_ms(s.integer(9));
  f.updated_at = from_unix_ms(s.integer(10));
  return f;
}
}  // namespace

FollowupId SqliteIncidentTables::insert_followup(const Followup& f) {
  db_.prepare("INSERT INTO followups (incident_id, action, owner_id, owner_name, due_at, status, done_at, created_by, "
              "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
      .bind(1, f.incident.value())
      .bind(2, f.action)
      .bind(3, opt_id(f.owner))
      .bind(4, f.owner_name)
      .bind(5, opt_ms(f.due_at))
      .bind(6, f.status)
      .bind(7, opt_ms(f.done_at))
      .bind(8, opt_id(f.created_by))
      .bind(9, to_unix_ms(f.created_at))
      .bind(10, to_unix_ms(f.updated_at))
      .run();
  return FollowupId(db_.last_insert_id());
}

void SqliteIncidentTables::update_followup(const Followup& f) {
  db_.prepare("UPDATE followups SET action = ?, owner_id = ?, owner_name = ?, due_at = ?, status = ?, done_at = ?, "
              "updated_at = ? WHERE id = ?")
      .bind(1, f.action)
      .bind(2, opt_id(f.owner))
      .bind(3, f.owner_name)
      .bind(4, opt_ms(f.due_at))
      .bind(5, f.status)
      .bind(6, opt_ms(f.done_at))
      .bind(7, to_unix_ms(f.updated_at))
      .bind(8, f.id.value())
      .run();
}

std::vector<Followup> SqliteIncidentTables::list_followups(IncidentId incident) {
  auto& s = db_.prepare(fmt::format("SELECT {} FROM followups WHERE incident_id = ? ORDER BY id", kFollowupCols));
  s.bind(1, incident.value());
  std::vector<Followup> out;
  while (s.step()) out.push_back(read_followup(s));
  return out;
}

std::vector<Followup> SqliteIncidentTables::open_followups(OrgId organization) {
  auto& s = db_.prepare(
      "SELECT f.id, f.incident_id, f.action, f.owner_id, f.owner_name, f.due_at, f.status, f.done_at, f.created_by, "
      "f.created_at, f.updated_at FROM followups f JOIN incidents i ON i.id = f.incident_id "
      "WHERE i.organization_id = ? AND f.status = 'open' ORDER BY f.due_at IS NULL, f.due_at, f.id LIMIT 500");
  s.bind(1, organization.value());
  std::vector<Followup> out;
  while (s.step()) out.push_back(read_followup(s));
  return out;
}

// ---- statistics ----

std::vector<IncidentFacts> SqliteIncidentTables::incident_facts(const std::vector<OrgId>& organizations,
                                                               const std::vector<IncidentId>& also, Timestamp from,
                                                               Timestamp to, bool drills) {
  std::string sql =
      "SELECT id, organization_id, scenario, cause_class, severity, phase, serious, loop_count, detected_at, occurred_at, "
      "contained_at, response_ended_at FROM incidents WHERE (organization_id IN (" + marks(organizations.size()) + ")";
  if (!also.empty()) sql += " OR id IN (" + marks(also.size()) + ")";
  sql += ") AND detected_at >= ? AND detected_at < ? AND merged_into IS NULL";
  if (!drills) sql += " AND is_drill = 0";
  auto& s = db_.prepare(sql);
  int n = 1;
  for (OrgId o : organizations) s.bind(n++, o.value());
  for (IncidentId i : also) s.bind(n++, i.value());
  s.bind(n++, to_unix_ms(from));
  s.bind(n++, to_unix_ms(to));
  std::vector<IncidentFacts> out;
  while (s.step()) {
    IncidentFacts f;
    f.id = IncidentId(s.integer(0));
    f.organization = OrgId(s.integer(1));
    f.scenario = s.opt_text(2);
    f.cause_class = s.opt_text(3);
    f.severity = s.opt_text(4);
    f.phase = domain::parse_phase(s.text(5)).value_or(domain::Phase::kReceived);
    f.serious = s.integer(6) != 0;
    f.loop_count = static_cast<int>(s.integer(7));
    f.detected_at = from_unix_ms(s.integer(8));
    f.occurred_at = opt_time(s, 9);
    f.contained_at = opt_time(s, 10);
    f.response_ended_at = opt_time(s, 11);
    out.push_back(std::move(f));
  }
  return out;
}

// ---- evidence and its chain of custody ----

EvidenceId SqliteIncidentTables::insert_evidence(const Evidence& e) {
  db_.prepare("INSERT INTO evidence (incident_id, name, sha256, size, media_type, description, collected_by, collected_from, "
              "collected_at, method, holder, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, e.incident.value())
      .bind(2, e.name)
      .bind(3, e.sha256)
      .bind(4, static_cast<std::int64_t>(e.size))
      .bind(5, e.media_type)
      .bind(6, e.description)
      .bind(7, e.collected_by)
      .bind(8, e.collected_from)
      .bind(9, to_unix_ms(e.collected_at))
      .bind(10, e.method)
      .bind(11, e.holder)
      .bind(12, opt_id(e.created_by))
      .bind(13, to_unix_ms(e.created_at))
      .run();
  return EvidenceId(db_.last_insert_id());
}

void SqliteIncidentTables::set_evidence_holder(EvidenceId id, const std::string& holder) {
  db_.prepare("UPDATE evidence SET holder = ? WHERE id = ?").bind(1, holder).bind(2, id.value()).run();
}

std::vector<Evidence> SqliteIncidentTables::list_evidence(IncidentId incident) {
  auto& s = db_.prepare(
      "SELECT id, name, sha256, size, media_type, description, collected_by, collected_from, collected_at, method, holder, "
      "created_by, created_at FROM evidence WHERE incident_id = ? ORDER BY id");
  s.bind(1, incident.value());
  std::vector<Evidence> out;
  while (s.step()) {
    Evidence e;
    e.id = EvidenceId(s.integer(0));
    e.incident = incident;
    e.name = s.text(1);
    e.sha256 = s.text(2);
    e.size = static_cast<std::uint64_t>(s.integer(3));
    e.media_type = s.text(4);
    e.description = s.text(5);
    e.collected_by = s.text(6);
    e.collected_from = s.text(7);
    e.collected_at = from_unix_ms(s.integer(8));
    e.method = s.text(9);
    e.holder = s.text(10);
    e.created_by = read_id<UserId>(s, 11);
    e.created_at = from_unix_ms(s.integer(12));
    out.push_back(std::move(e));
  }
  return out;
}

void SqliteIncidentTables::insert_custody(const CustodyEvent& c) {
  db_.prepare("INSERT INTO custody_events (evidence_id, kind, from_party, to_party, note, actor_id, address, at) "
              "VALUES (?,?,?,?,?,?,?,?)")
      .bind(1, c.evidence.value())
      .bind(2, c.kind)
      .bind(3, c.from_party)
      .bind(4, c.to_party)
      .bind(5, c.note)
      .bind(6, opt_id(c.actor))
      .bind(7, c.address)
      .bind(8, to_unix_ms(c.at))
      .run();
}

std::vector<CustodyEvent> SqliteIncidentTables::list_custody(EvidenceId evidence) {
  auto& s = db_.prepare(
      "SELECT c.id, c.kind, c.from_party, c.to_party, c.note, c.actor_id, COALESCE(u.display_name, ''), c.address, c.at "
      "FROM custody_events c LEFT JOIN users u ON u.id = c.actor_id WHERE c.evidence_id = ? ORDER BY c.id");
  s.bind(1, evidence.value());
  std::vector<CustodyEvent> out;
  while (s.step()) {
    CustodyEvent c;
    c.id = s.integer(0);
    c.evidence = evidence;
    c.kind = s.text(1);
    c.from_party = s.text(2);
    c.to_party = s.text(3);
    c.note = s.text(4);
    c.actor = read_id<UserId>(s, 5);
    c.actor_name = s.text(6);
    c.address = s.text(7);
    c.at = from_unix_ms(s.integer(8));
    out.push_back(std::move(c));
  }
  return out;
}

// ---- saved filters ----

SavedFilterId SqliteIncidentTables::insert_saved_filter(const SavedFilter& f) {
  db_.prepare("INSERT INTO saved_filters (user_id, name, query, created_at) VALUES (?,?,?,?)")
      .bind(1, f.user.value())
      .bind(2, f.name)
      .bind(3, f.query)
      .bind(4, to_unix_ms(f.created_at))
      .run();
  return SavedFilterId(db_.last_insert_id());
}

void SqliteIncidentTables::delete_saved_filter(SavedFilterId id) {
  db_.prepare("DELETE FROM saved_filters WHERE id = ?").bind(1, id.value()).run();
}

std::vector<SavedFilter> SqliteIncidentTables::list_saved_filters(UserId user) {
  auto& s = db_.prepare("SELECT id, name, query, created_at FROM saved_filters WHERE user_id = ? ORDER BY name");
  s.bind(1, user.value());
  std::vector<SavedFilter> out;
  while (s.step())
    out.push_back({SavedFilterId(s.integer(0)), user, s.text(1), s.text(2), from_unix_ms(s.integer(3))});
  return out;
}

}  // namespace khien::store
