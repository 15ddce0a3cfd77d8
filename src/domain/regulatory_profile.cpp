#include "domain/regulatory_profile.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "domain/yaml_reader.h"

namespace khien::domain {

namespace {

template <class T>
const T* find_by_id(const std::vector<T>& v, std::string_view id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& e) { return e.id == id; });
  return it == v.end() ? nullptr : &*it;
}

constexpr std::array<std::pair<Condition, std::string_view>, 5> kConditions = {{
    {Condition::kAlways, "always"},
    {Condition::kSerious, "serious"},
    {Condition::kBeyondCapacity, "beyond_capacity"},
    {Condition::kPersonalDataBreach, "personal_data_breach"},
    {Condition::kNationalSecurity, "national_security"},
}};
constexpr std::array<std::pair<Anchor, std::string_view>, 4> kAnchors = {{
    {Anchor::kDetected, "detected"},
    {Anchor::kBeyondCapacity, "beyond_capacity"},
    {Anchor::kSerious, "serious"},
    {Anchor::kResponseEnded, "response_ended"},
}};
constexpr std::array<std::pair<DeadlineUnit, std::string_view>, 5> kUnits = {{
    {DeadlineUnit::kImmediately, "immediately"},
    {DeadlineUnit::kHours, "hours"},
    {DeadlineUnit::kDays, "days"},
    {DeadlineUnit::kWorkingDays, "working_days"},
    {DeadlineUnit::kNone, "none"},
}};
constexpr std::array<std::pair<RecipientResolution, std::string_view>, 4> kResolutions = {{
    {RecipientResolution::kAgency, "agency"},
    {RecipientResolution::kCoordinator, "coordinator"},
    {RecipientResolution::kNational, "national"},
    {RecipientResolution::kExternal, "external"},
}};
constexpr std::array<std::string_view, 7> kWeekdays = {"monday", "tuesday", "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, n] : table)
    if (v == e) return n;
  return "";
}

template <class E, std::size_t N>
std::optional<E> parse_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [v, n] : table)
    if (n == s) return v;
  return std::nullopt;
}

template <class E, std::size_t N>
std::set<std::string> names(const std::array<std::pair<E, std::string_view>, N>& table) {
  std::set<std::string> out;
  for (const auto& [v, n] : table) out.insert(std::string(n));
  return out;
}

DeadlineRule read_deadline(yaml::Reader& r, const YAML::Node& obligation, const std::string& path) {
  DeadlineRule d;
  const YAML::Node due = r.mapping(obligation, "due", path);
  const std::string from = r.string(due, "from", path + ".due");
  r.check_member(from, names(kAnchors), path + ".due.from");
  d.from = parse_of(kAnchors, from).value_or(Anchor::kDetected);
  const YAML::Node within = due["within"];
  const std::string wpath = path + ".due.within";
  if (within && within.IsScalar()) {
    const std::string w = within.Scalar();
    if (w == "immediately") d.unit = DeadlineUnit::kImmediately;
    else if (w == "none") d.unit = DeadlineUnit::kNone;
    else r.fail(within, wpath, "must be immediately, none, {hours: N}, {days: N} or {working_days: N}");
  } else if (within && within.IsMap() && within.size() == 1) {
    const std::string key = within.begin()->first.Scalar();
    const auto unit = parse_of(kUnits, key);
    if (!unit || *unit == DeadlineUnit::kImmediately || *unit == DeadlineUnit::kNone) {
      r.fail(within, wpath, "unknown unit '" + key + "'");
    } else {
      d.unit = *unit;
      d.amount = r.integer(within, key, wpath, 1, 8760);
    }
  } else {
    r.fail(within ? within : due, wpath, "must be immediately, none, {hours: N}, {days: N} or {working_days: N}");
  }
  return d;
}

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string iso_date(date::local_days d) {
  const date::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

const RecipientRule* RegulatoryProfile::recipient(std::string_view rid) const { return find_by_id(recipients, rid); }
const ObligationRule* RegulatoryProfile::obligation(std::string_view oid) const { return find_by_id(obligations, oid); }
bool RegulatoryProfile::has_impact(std::string_view iid) const { return find_by_id(serious.impacts, iid) != nullptr; }

std::string_view condition_name(Condition c) { return name_of(kConditions, c); }
std::string_view anchor_name(Anchor a) { return name_of(kAnchors, a); }
std::string_view deadline_unit_name(DeadlineUnit u) { return name_of(kUnits, u); }
std::string_view resolution_name(RecipientResolution r) { return name_of(kResolutions, r); }

std::string_view obligation_status_name(ObligationStatus s) {
  switch (s) {
    case ObligationStatus::kPending: return "pending";
    case ObligationStatus::kDone: return "done";
    case ObligationStatus::kOverdue: return "overdue";
    case ObligationStatus::kWaiting: return "waiting";
  }
  return "";
}

Result<RegulatoryProfile> parse_regulatory_profile(std::string_view text, std::string_view source) {
  yaml::Reader r{std::string(source)};
  const YAML::Node root = r.load(text);
  if (r.ok() && !root.IsMap()) r.fail(root, "(top)", "must be a map");
  if (!r.ok()) return r.error();

  RegulatoryProfile p;
  p.id = r.string(root, "id", "");
  p.version = r.integer(root, "version", "", 1, 1000);
  p.name = r.text(root, "name", "");
  p.time_zone = r.string(root, "time_zone", "");
  if (!p.time_zone.empty()) {
    try {
      (void)date::locate_zone(p.time_zone);
    } catch (const std::exception&) {
      r.fail(root["time_zone"], "time_zone", "'" + p.time_zone + "' is not a known time zone");
    }
  }

  const YAML::Node counting = r.mapping(root, "day_counting", "");
  p.day_counting.source = r.text(counting, "source", "day_counting");
  p.day_counting.verified = r.boolean(counting, "verified", "day_counting");
  for (const auto& day : r.strings(counting, "weekend", "day_counting")) {
    auto it = std::find(kWeekdays.begin(), kWeekdays.end(), day);
    if (it == kWeekdays.end()) r.fail(counting["weekend"], "day_counting.weekend", "'" + day + "' is not a weekday");
    else p.day_counting.weekend.push_back(static_cast<int>(it - kWeekdays.begin()) + 1);
  }
  for (const auto& day : r.strings(counting, "holidays", "day_counting")) {
    if (!is_date(day)) r.fail(counting["holidays"], "day_counting.holidays", "'" + day + "' is not YYYY-MM-DD");
    p.day_counting.holidays.push_back(day);
  }

  std::set<std::string> seen;
  const YAML::Node recipients = r.sequence(root, "recipients", "");
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    const std::string path = "recipients[" + std::to_string(i) + "]";
    RecipientRule rr{r.id(recipients[i], "id", path), r.text(recipients[i], "name", path), {}};
    const std::string resolve = r.string(recipients[i], "resolve", path);
    r.check_member(resolve, names(kResolutions), path + ".resolve");
    rr.resolve = parse_of(kResolutions, resolve).value_or(RecipientResolution::kExternal);
    r.check_unique(seen, rr.id, path + ".id");
    p.recipients.push_back(std::move(rr));
  }

  const YAML::Node serious = r.mapping(root, "serious", "");
  p.serious.defined = r.boolean(serious, "defined", "serious");
  p.serious.source = r.text(serious, "source", "serious");
  p.serious.verified = r.boolean(serious, "verified", "serious");
  if (p.serious.defined) {
    p.serious.min_level = r.integer(serious, "min_level", "serious", 1, 5);
    p.serious.national_critical_counts = r.boolean(serious, "national_critical_counts", "serious");
    p.serious.requires_beyond_capacity = r.boolean(serious, "requires_beyond_capacity", "serious");
    seen.clear();
    const YAML::Node impacts = r.sequence(serious, "impacts", "serious");
    for (std::size_t i = 0; i < impacts.size(); ++i) {
      const std::string path = "serious.impacts[" + std::to_string(i) + "]";
      ImpactCriterion c{r.id(impacts[i], "id", path), r.text(impacts[i], "name", path),
                        r.string(impacts[i], "source", path)};
      r.check_unique(seen, c.id, path + ".id");
      p.serious.impacts.push_back(std::move(c));
    }
  }

  for (const auto& cond : r.strings(root, "approval_required_when", "", false)) {
    if (cond == "serious") p.approval_required_when_serious = true;
    else r.fail(root["approval_required_when"], "approval_required_when", "'" + cond + "' is not one of: serious");
  }

  seen.clear();
  const YAML::Node obligations = r.sequence(root, "obligations", "");
  for (std::size_t i = 0; i < obligations.size(); ++i) {
    const YAML::Node o = obligations[i];
    const std::string path = "obligations[" + std::to_string(i) + "]";
    ObligationRule rule;
    rule.id = r.id(o, "id", path);
    r.check_unique(seen, rule.id, path + ".id");
    rule.name = r.text(o, "name", path);
    rule.form = r.optional_string(o, "form", path);
    const std::string when = r.string(o, "when", path);
    r.check_member(when, names(kConditions), path + ".when");
    rule.when = parse_of(kConditions, when).value_or(Condition::kAlways);
    rule.recipients = r.strings(o, "recipients", path);
    for (const auto& rid : rule.recipients)
      if (!p.recipient(rid)) r.fail(o["recipients"], path + ".recipients", "'" + rid + "' is not a recipient of the profile");
    rule.due = read_deadline(r, o, path);
    rule.source = r.text(o, "source", path);
    rule.verified = r.boolean(o, "verified", path);
    rule.note = r.optional_text(o, "note", path);
    rule.only_if_done_before_end = r.optional_string(o, "only_if_notified_before_end", path);
    p.obligations.push_back(std::move(rule));
  }
  for (const auto& rule : p.obligations)
    if (rule.only_if_done_before_end && !p.obligation(*rule.only_if_done_before_end))
      r.fail(YAML::Node(), "obligations." + rule.id + ".only_if_notified_before_end",
             "'" + *rule.only_if_done_before_end + "' is not an obligation of the profile");
  if (!r.ok()) return r.error();
  return p;
}

SeriousAssessment assess_serious(const RegulatoryProfile& profile, const SeriousFacts& facts) {
  SeriousAssessment a;
  const SeriousCriteria& c = profile.serious;
  if (!c.defined) {
    a.reasons.push_back({"not_defined", false, {}});
    return a;
  }
  bool system_met = false;
  for (const auto& s : facts.systems) {
    const bool met = s.security_level >= c.min_level || (c.national_critical_counts && s.national_critical);
    system_met = system_met || met;
    a.reasons.push_back({"system_level", met, s.name});
  }
  if (facts.systems.empty()) a.reasons.push_back({"system_level", false, {}});

  bool impact_met = false;
  for (const auto& i : facts.impacts) {
    if (!profile.has_impact(i)) continue;
    impact_met = true;
    a.reasons.push_back({"impact", true, i});
  }
  if (!impact_met) a.reasons.push_back({"impact", false, {}});

  const bool capacity_met = !c.requires_beyond_capacity || facts.beyond_capacity;
  if (c.requires_beyond_capacity) a.reasons.push_back({"beyond_capacity", facts.beyond_capacity, {}});
  a.serious = system_met && impact_met && capacity_met;
  return a;
}

std::optional<Timestamp> deadline(const RegulatoryProfile& profile, const DeadlineRule& rule, Timestamp anchor) {
  switch (rule.unit) {
    case DeadlineUnit::kNone: return std::nullopt;
    case DeadlineUnit::kImmediately: return anchor;
    case DeadlineUnit::kHours: return anchor + std::chrono::hours(rule.amount);
    case DeadlineUnit::kDays:
    case DeadlineUnit::kWorkingDays: break;
  }
  const date::time_zone* zone = date::locate_zone(profile.time_zone);
  const auto first = date::floor<date::days>(zone->to_local(anchor));
  const auto working = [&](date::local_days d) {
    const int wd = static_cast<int>(date::weekday{d}.iso_encoding());
    const auto& dc = profile.day_counting;
    if (std::find(dc.weekend.begin(), dc.weekend.end(), wd) != dc.weekend.end()) return false;
    return std::find(dc.holidays.begin(), dc.holidays.end(), iso_date(d)) == dc.holidays.end();
  };
  date::local_days last = first;
  if (rule.unit == DeadlineUnit::kDays) {
    // Counted from the day after the event; a last day that is not a working day moves on.
    last = first + date::days{rule.amount};
    while (!working(last)) last += date::days{1};
  } else {
    for (int counted = 0; counted < rule.amount;) {
      last += date::days{1};
      if (working(last)) ++counted;
    }
  }
  // The period ends at the end of the last day, in the profile's zone.
  const auto next_midnight = date::local_time<Milliseconds>(last + date::days{1});
  return Timestamp(zone->to_sys(next_midnight, date::choose::earliest)) - Milliseconds(1);
}

int local_year(const RegulatoryProfile& profile, Timestamp t) {
  const auto local = date::locate_zone(profile.time_zone)->to_local(t);
  return static_cast<int>(date::year_month_day{date::floor<date::days>(local)}.year());
}

std::string local_month(const RegulatoryProfile& profile, Timestamp t) {
  const auto local = date::locate_zone(profile.time_zone)->to_local(t);
  const date::year_month_day ymd{date::floor<date::days>(local)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
  return buf;
}

std::vector<Obligation> derive_obligations(const RegulatoryProfile& profile, const IncidentConditions& conditions,
                                           const IncidentMoments& moments, const std::vector<Submission>& submissions,
                                           Timestamp now) {
  const auto first_submission = [&](const std::string& id) {
    std::optional<Timestamp> first;
    for (const auto& s : submissions)
      if (s.obligation == id && (!first || s.sent_at < *first)) first = s.sent_at;
    return first;
  };
  const auto applies = [&](Condition c) {
    switch (c) {
      case Condition::kAlways: return true;
      case Condition::kSerious: return conditions.serious;
      case Condition::kBeyondCapacity: return conditions.beyond_capacity;
      case Condition::kPersonalDataBreach: return conditions.personal_data_breach;
      case Condition::kNationalSecurity: return conditions.national_security;
    }
    return false;
  };
  const auto moment = [&](Anchor a) -> std::optional<Timestamp> {
    switch (a) {
      case Anchor::kDetected: return moments.detected;
      case Anchor::kBeyondCapacity: return moments.beyond_capacity;
      case Anchor::kSerious: return moments.serious;
      case Anchor::kResponseEnded: return moments.response_ended;
    }
    return std::nullopt;
  };

  std::vector<Obligation> out;
  for (const auto& rule : profile.obligations) {
    if (!applies(rule.when)) continue;
    if (rule.only_if_done_before_end && moments.response_ended) {
      const auto before = first_submission(*rule.only_if_done_before_end);
      if (!before || *before > *moments.response_ended) continue;
    }
    Obligation o;
    o.rule = &rule;
    o.done_at = first_submission(rule.id);
    const auto anchor = moment(rule.due.from);
    if (anchor) o.due_at = deadline(profile, rule.due, *anchor);
    if (o.done_at) {
      o.status = ObligationStatus::kDone;
      o.done_late = o.due_at && *o.done_at > *o.due_at;
    } else if (!anchor) {
      o.status = ObligationStatus::kWaiting;
    } else if (o.due_at && now > *o.due_at) {
      o.status = ObligationStatus::kOverdue;
    } else {
      o.status = ObligationStatus::kPending;
    }
    out.push_back(o);
  }
  return out;
}

}  // namespace khien::domain
