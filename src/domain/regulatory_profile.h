#pragma once
// A regulatory profile: every legal rule Khiên applies to an incident, as data with its source
// (data/regulations/<id>.yml). "2017" is the framework the plan names; "2026" the Law on
// Cybersecurity 2025 now in force. An organisation chooses its profile; an incident keeps the
// profile it was opened under.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "domain/localized_text.h"

namespace khien::domain {

// Where a recipient is found: the incident's agency, the nearest coordinator above it, the
// national organisation at the top of the tree, or outside Khiên (a name only).
enum class RecipientResolution { kAgency, kCoordinator, kNational, kExternal };

struct RecipientRule {
  std::string id;
  LocalizedText name;
  RecipientResolution resolve = RecipientResolution::kExternal;
};

struct ImpactCriterion {
  std::string id;
  LocalizedText name;
  std::string source;  // the point of the article
};

struct SeriousCriteria {
  bool defined = false;  // false: the profile sets no criteria; the flag is set by hand
  LocalizedText source;
  bool verified = false;
  int min_level = 4;
  bool national_critical_counts = true;
  bool requires_beyond_capacity = true;
  std::vector<ImpactCriterion> impacts;
};

// When an obligation applies.
enum class Condition { kAlways, kSerious, kBeyondCapacity, kPersonalDataBreach, kNationalSecurity };
// The moment a deadline counts from.
enum class Anchor { kDetected, kBeyondCapacity, kSerious, kResponseEnded };
enum class DeadlineUnit { kImmediately, kHours, kDays, kWorkingDays, kNone };

struct DeadlineRule {
  Anchor from = Anchor::kDetected;
  DeadlineUnit unit = DeadlineUnit::kNone;
  int amount = 0;
};

struct ObligationRule {
  std::string id;
  LocalizedText name;
  std::optional<std::string> form;  // the form number in the profile's circular, e.g. "03"
  Condition when = Condition::kAlways;
  std::vector<std::string> recipients;  // RecipientRule ids
  DeadlineRule due;
  LocalizedText source;
  bool verified = false;
  std::optional<LocalizedText> note;
  // Owed only when the named obligation was done before the response ended.
  std::optional<std::string> only_if_done_before_end;
};

struct DayCounting {
  LocalizedText source;
  bool verified = false;
  std::vector<int> weekend;              // ISO weekday numbers, 1 = Monday … 7 = Sunday
  std::vector<std::string> holidays;     // YYYY-MM-DD
};

struct RegulatoryProfile {
  std::string id;
  int version = 1;
  LocalizedText name;
  std::string time_zone;  // IANA name; days are counted in this zone
  DayCounting day_counting;
  std::vector<RecipientRule> recipients;
  SeriousCriteria serious;
  bool approval_required_when_serious = false;
  std::vector<ObligationRule> obligations;

  const RecipientRule* recipient(std::string_view id) const;
  const ObligationRule* obligation(std::string_view id) const;
  bool has_impact(std::string_view id) const;
};

// Parses a profile; invalid_data naming the place on any fault (unknown recipient, unknown
// time zone, bad deadline, repeated id, missing translation).
Result<RegulatoryProfile> parse_regulatory_profile(std::string_view yaml, std::string_view source);

std::string_view condition_name(Condition c);  // "always", "serious", ...
std::string_view anchor_name(Anchor a);        // "detected", "response_ended", ...
std::string_view deadline_unit_name(DeadlineUnit u);
std::string_view resolution_name(RecipientResolution r);

// ---- The serious-incident assessment -------------------------------------------------------

struct AffectedSystemFacts {
  std::string name;
  int security_level = 0;  // 1..5, 0 when not determined
  bool national_critical = false;
};

struct SeriousFacts {
  std::vector<AffectedSystemFacts> systems;
  std::vector<std::string> impacts;  // ImpactCriterion ids present on the incident
  bool beyond_capacity = false;      // the owner cannot control or handle the incident itself
};

// One reason for the answer, for the user: which criterion, met or not, and about what.
struct SeriousReason {
  std::string criterion;  // system_level | impact | beyond_capacity | not_defined
  bool met = false;
  std::string subject;    // the system's name or the impact id; empty otherwise
};

struct SeriousAssessment {
  bool serious = false;
  std::vector<SeriousReason> reasons;
};

// Applies the profile's criteria (all must hold: a system at the minimum level or on the
// national critical list, at least one listed impact, beyond the owner's capacity).
SeriousAssessment assess_serious(const RegulatoryProfile& profile, const SeriousFacts& facts);

// ---- Obligations and deadlines -------------------------------------------------------------

// The moments the deadlines count from; unset until they happen.
struct IncidentMoments {
  Timestamp detected;
  std::optional<Timestamp> beyond_capacity;
  std::optional<Timestamp> serious;
  std::optional<Timestamp> response_ended;
};

struct IncidentConditions {
  bool serious = false;
  bool beyond_capacity = false;
  bool personal_data_breach = false;
  bool national_security = false;
};

// A report or notification recorded as sent.
struct Submission {
  std::string obligation;
  Timestamp sent_at;
};

enum class ObligationStatus { kPending, kDone, kOverdue, kWaiting };  // waiting: its moment has not come
std::string_view obligation_status_name(ObligationStatus s);

struct Obligation {
  const ObligationRule* rule = nullptr;
  ObligationStatus status = ObligationStatus::kWaiting;
  std::optional<Timestamp> due_at;   // unset while waiting or when the rule sets no deadline
  std::optional<Timestamp> done_at;  // the first submission
  bool done_late = false;
};

// When a deadline falls for an event at `anchor`. REQUIRES the profile's time zone be valid
// (parse_regulatory_profile checks it). nullopt when the rule sets no deadline.
std::optional<Timestamp> deadline(const RegulatoryProfile& profile, const DeadlineRule& rule, Timestamp anchor);

// The calendar year of `t` in the profile's time zone (incidents are numbered per year).
int local_year(const RegulatoryProfile& profile, Timestamp t);
// "YYYY-MM" of `t` in the profile's time zone.
std::string local_month(const RegulatoryProfile& profile, Timestamp t);

// What the incident owes under `profile`, in the profile's order, each with its status at `now`.
std::vector<Obligation> derive_obligations(const RegulatoryProfile& profile, const IncidentConditions& conditions,
                                           const IncidentMoments& moments, const std::vector<Submission>& submissions,
                                           Timestamp now);

}  // namespace khien::domain
