#pragma once
// The records of incidents and of the information systems they affect. Plain values; the
// store persists them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "base/time.h"
#include "domain/incident_workflow.h"

namespace khien::service {

using SystemId = Id<struct SystemTag>;
using IncidentId = Id<struct IncidentTag>;
using TaskId = Id<struct TaskTag>;
using TimelineId = Id<struct TimelineTag>;
using ApprovalId = Id<struct ApprovalTag>;
using SubmissionId = Id<struct SubmissionTag>;
using ShareId = Id<struct ShareTag>;
using StatementId = Id<struct StatementTag>;
using ObservableId = Id<struct ObservableTag>;
using FollowupId = Id<struct FollowupTag>;
using EvidenceId = Id<struct EvidenceTag>;
using SavedFilterId = Id<struct SavedFilterTag>;
using MemberId = Id<struct MemberTag>;
using SupportRequestId = Id<struct SupportRequestTag>;
using CommentId = Id<struct CommentTag>;

// An information system of the inventory (a minimal one; extended by the inventory issue).
struct InformationSystem {
  SystemId id;
  OrgId organization;                 // the agency that owns it
  std::string name;
  std::string description;
  std::optional<OrgId> owner_unit;    // the unit in charge
  std::string operator_name;          // who operates it
  std::optional<int> security_level;  // 1..5
  bool national_critical = false;
  std::vector<std::string> components;
  Timestamp created_at;
  Timestamp updated_at;
  std::int64_t version = 1;
};

struct Incident {
  IncidentId id;
  OrgId organization;  // the agency whose incident it is
  int year = 0;
  int number = 0;      // per agency and year
  std::string title;
  std::string description;
  domain::Phase phase = domain::Phase::kReceived;
  std::string source;  // staff-report | responder | api | external-notice | detection
  std::optional<UserId> reporter;
  std::string reporter_contact;
  std::string external_organization;
  std::string external_reference;
  std::string external_date;
  Timestamp detected_at;
  std::optional<Timestamp> occurred_at;
  std::optional<std::string> scenario;
  std::optional<std::string> cause_class;
  std::optional<std::string> severity;
  std::string tlp = "amber";
  std::vector<std::string> impacts;
  bool beyond_capacity = false;
  std::optional<Timestamp> beyond_capacity_at;
  bool personal_data_breach = false;
  bool national_security = false;
  bool serious = false;  // in effect
  std::optional<Timestamp> serious_at;
  std::optional<bool> serious_override;
  std::string serious_override_reason;
  bool approval_required = false;  // asked for by the user, whatever the rules say
  std::string response_option;
  std::string root_cause;
  std::string lessons_learned;
  std::string attack_origin;
  std::optional<UserId> spokesperson;
  int loop_count = 0;
  std::optional<Timestamp> contained_at;
  std::optional<Timestamp> response_ended_at;
  std::optional<Timestamp> closed_at;
  bool is_drill = false;
  std::string profile;  // the regulatory profile it was opened under
  std::optional<IncidentId> merged_into;
  std::optional<UserId> created_by;
  Timestamp created_at;
  Timestamp updated_at;
  std::int64_t version = 1;
  std::vector<SystemId> systems;
};

struct TransitionRecord {
  std::int64_t id = 0;
  IncidentId incident;
  std::string step;
  domain::Phase from = domain::Phase::kReceived;
  domain::Phase to = domain::Phase::kReceived;
  std::string reason;
  std::optional<UserId> actor;
  std::string actor_name;
  Timestamp at;
};

struct Task {
  TaskId id;
  IncidentId incident;
  OrgId organization;  // the organisation that added it
  domain::Phase phase = domain::Phase::kContainment;
  std::string title;
  std::string detail;
  std::optional<std::string> playbook_step;
  std::string responsible;  // taxonomy actor id
  std::vector<std::string> coordinating;
  std::optional<UserId> assignee;
  std::optional<Timestamp> due_at;
  std::string status = "open";  // open | in-progress | done | cancelled
  std::string notes;
  std::optional<UserId> created_by;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> completed_at;
  std::int64_t version = 1;
};

struct TimelineEntry {
  TimelineId id;
  IncidentId incident;
  OrgId organization;
  Timestamp happened_at;
  Timestamp recorded_at;
  std::string kind;  // manual | transition | approval | task | report | ...
  std::string source;
  std::string text;
  std::vector<std::string> techniques;
  std::optional<UserId> actor;
  std::string actor_name;
};

struct Approval {
  ApprovalId id;
  IncidentId incident;
  std::string response_option;
  std::string approver_kind;  // director | steering-committee
  std::optional<OrgId> approver_organization;
  std::string request_note;
  std::optional<UserId> requested_by;
  Timestamp requested_at;
  std::optional<std::string> decision;  // approved | rejected
  std::string comment;
  std::string decider_name;
  std::string document_reference;
  std::optional<UserId> decided_by;
  std::optional<Timestamp> decided_at;
};

struct ReportSubmission {
  SubmissionId id;
  IncidentId incident;
  std::string obligation;
  std::string channel;
  std::vector<std::string> recipients;
  std::string reference;
  Timestamp sent_at;
  std::string note;
  std::optional<UserId> recorded_by;
  Timestamp recorded_at;
};

// An incident shared with another organisation (plan §2.1 d, f): with whom, which parts,
// since when, by whom; revocable.
struct Share {
  ShareId id;
  IncidentId incident;
  OrgId organization;
  std::vector<std::string> parts;  // summary (always), tasks, timeline, observables, evidence
  std::string purpose;
  std::optional<UserId> granted_by;
  Timestamp granted_at;
  std::optional<UserId> revoked_by;
  std::optional<Timestamp> revoked_at;
  bool active() const { return !revoked_at.has_value(); }
};

// A named person on an incident's team: from its agency, or from an organisation the incident
// is shared with (the response team's expert, the coordinator's liaison). Removing a member
// keeps the record.
struct IncidentMember {
  MemberId id;
  IncidentId incident;
  UserId user;
  OrgId organization;  // the member's tenant
  std::string role;    // lead | responder | expert | liaison | observer
  std::optional<UserId> added_by;
  Timestamp added_at;
  std::optional<UserId> removed_by;
  std::optional<Timestamp> removed_at;
  bool active() const { return !removed_at.has_value(); }
};

// A request for support to the national coordinator or the response team (Decision 05/2017
// Art. 14): what is asked, the share that lets the organisation see the incident, its answer.
struct SupportRequest {
  SupportRequestId id;
  IncidentId incident;
  OrgId organization;              // asked for support
  std::vector<std::string> kinds;  // expert, forensics, malware-analysis, recovery, coordination, legal
  std::string detail;
  std::optional<ShareId> share;
  std::optional<UserId> requested_by;
  Timestamp requested_at;
  std::string status = "requested";  // requested | accepted | declined | completed | withdrawn
  std::string response;
  std::optional<UserId> responded_by;
  std::optional<Timestamp> responded_at;
};

// A comment on an incident, by its agency or by an organisation it is shared with.
struct Comment {
  CommentId id;
  IncidentId incident;
  OrgId organization;  // the author's tenant
  std::optional<UserId> author;
  std::string text;
  Timestamp created_at;
};

// A public statement about the incident, made by the spokesperson.
struct PublicStatement {
  StatementId id;
  IncidentId incident;
  std::string text;
  std::string channel;
  Timestamp published_at;
  std::string approved_by;
  std::optional<UserId> created_by;
  Timestamp created_at;
};

struct Observable {
  ObservableId id;
  IncidentId incident;
  std::string kind;      // domain::ObservableKind name
  std::string value;     // canonical
  std::string original;  // as entered
  std::string tlp = "amber";
  std::vector<std::string> tags;
  bool is_ioc = false;
  std::string note;
  std::optional<UserId> created_by;
  Timestamp created_at;
};

// Another incident where the same observable was seen.
struct Sighting {
  IncidentId incident;
  OrgId organization;
  std::string reference;
  std::string title;
};

// A follow-up action from the lessons learned (plan §2.4), tracked to done even after the
// incident is closed.
struct Followup {
  FollowupId id;
  IncidentId incident;
  std::string action;
  std::optional<UserId> owner;
  std::string owner_name;
  std::optional<Timestamp> due_at;
  std::string status = "open";  // open | done | cancelled
  std::optional<Timestamp> done_at;
  std::optional<UserId> created_by;
  Timestamp created_at;
  Timestamp updated_at;
};

// A file of evidence (plan §2.1 a, 2.2), stored by its SHA-256, never overwritten.
struct Evidence {
  EvidenceId id;
  IncidentId incident;
  std::string name;
  std::string sha256;
  std::uint64_t size = 0;
  std::string media_type;
  std::string description;
  std::string collected_by;    // who collected it (a person, not always a user)
  std::string collected_from;  // the host, device or place
  Timestamp collected_at;
  std::string method;          // how: disk image, memory dump, export, photo…
  std::string holder;          // who holds the original now
  std::optional<UserId> created_by;
  Timestamp created_at;
};

// One entry of the chain of custody: collected, transferred, downloaded, hash-mismatch.
struct CustodyEvent {
  std::int64_t id = 0;
  EvidenceId evidence;
  std::string kind;
  std::string from_party;
  std::string to_party;
  std::string note;
  std::optional<UserId> actor;
  std::string actor_name;
  std::string address;
  Timestamp at;
};

// A user's named incident-list filter (the list's query string).
struct SavedFilter {
  SavedFilterId id;
  UserId user;
  std::string name;
  std::string query;
  Timestamp created_at;
};

// One incident as the statistics need it.
struct IncidentFacts {
  IncidentId id;
  OrgId organization;
  std::optional<std::string> scenario;
  std::optional<std::string> cause_class;
  std::optional<std::string> severity;
  domain::Phase phase = domain::Phase::kReceived;
  bool serious = false;
  int loop_count = 0;
  Timestamp detected_at;
  std::optional<Timestamp> occurred_at;
  std::optional<Timestamp> contained_at;
  std::optional<Timestamp> response_ended_at;
};

struct IncidentFilter {
  std::vector<OrgId> organizations;          // owned by these …
  std::vector<IncidentId> also;              // … or one of these (shared with the caller)
  std::vector<std::string> phases;
  std::optional<std::string> scenario;
  std::optional<std::string> severity;
  std::optional<bool> serious;
  std::optional<bool> drill;
  bool include_merged = false;
  std::optional<std::string> text;           // full-text query (FTS5 syntax is escaped)
  std::optional<Timestamp> detected_from;
  std::optional<Timestamp> detected_to;
  std::string sort = "-created_at";          // created_at | -created_at | detected_at | -detected_at | severity
  std::optional<std::string> cursor_key;     // the sort key of the last row seen …
  std::optional<std::int64_t> cursor_id;     // … and its id
  int limit = 50;
};

}  // namespace khien::service
