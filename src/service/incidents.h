#pragma once
// Incidents (plan §II.2): intake, classification with the serious-incident criteria, the
// workflow, approvals, tasks from the playbooks, timeline, and the obligations the regulatory
// profile derives. Every change is audited in its own transaction; writes to an incident
// carry the version the caller read (lost updates are refused with `stale`).
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "domain/regulatory_profile.h"
#include "service/catalog.h"
#include "service/context.h"
#include "service/evidence_files.h"
#include "service/incident_records.h"
#include "service/store.h"

namespace khien::service {

// ---- The inventory of information systems (minimal) ----

struct SystemInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::optional<OrgId>> owner_unit;
  std::optional<std::string> operator_name;
  std::optional<std::optional<int>> security_level;
  std::optional<bool> national_critical;
  std::optional<std::vector<std::string>> components;
};

class Systems {
 public:
  Systems(Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  Result<std::vector<InformationSystem>> list(const Principal& p);
  Result<InformationSystem> get(const Principal& p, SystemId id);
  Result<InformationSystem> create(const Principal& p, const SystemInput& in, const RequestMeta& meta);
  // REQUIRES the version the caller read; `stale` when someone changed it since.
  Result<InformationSystem> update(const Principal& p, SystemId id, std::int64_t version, const SystemInput& in,
                                   const RequestMeta& meta);

 private:
  Store& store_;
  const Clock& clock_;
};

// ---- Incidents ----

// What a new incident holds. A staff report fills only title, description, times, contact.
struct IncidentInput {
  std::string title;
  std::string description;
  std::string source = "responder";  // staff-report | responder | api | external-notice | detection
  std::optional<Timestamp> detected_at;  // default: now
  std::optional<Timestamp> occurred_at;
  std::string reporter_contact;
  std::string external_organization;
  std::string external_reference;
  std::string external_date;
  std::optional<std::string> scenario;
  std::optional<std::string> severity;
  std::optional<std::string> tlp;
  std::vector<SystemId> systems;
  bool is_drill = false;
};

// A change to an incident's facts; unset members stay as they are.
struct IncidentChanges {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<Timestamp> detected_at;
  std::optional<std::optional<Timestamp>> occurred_at;
  std::optional<std::optional<std::string>> scenario;
  std::optional<std::optional<std::string>> cause_class;
  std::optional<std::optional<std::string>> severity;
  std::optional<std::string> tlp;
  std::optional<std::vector<std::string>> impacts;
  std::optional<std::vector<SystemId>> systems;
  std::optional<bool> beyond_capacity;
  std::optional<bool> personal_data_breach;
  std::optional<bool> national_security;
  std::optional<std::optional<bool>> serious_override;  // null: follow the criteria
  std::optional<std::string> serious_override_reason;
  std::optional<bool> approval_required;
  std::optional<std::string> response_option;
  std::optional<std::string> root_cause;
  std::optional<std::string> lessons_learned;
  std::optional<std::string> attack_origin;
  std::optional<std::optional<UserId>> spokesperson;
};

struct StepInput {
  domain::Step step = domain::Step::kStartVerification;
  std::string reason;
  std::optional<std::string> response_option;       // choose-response
  std::string approver_kind = "director";           // request-approval: director | steering-committee
  std::optional<OrgId> approver_organization;       // request-approval to a committee
};

struct DecisionInput {
  std::string decision;  // approved | rejected
  std::string comment;
  std::string decider_name;
  std::string document_reference;
};

struct TaskInput {
  std::optional<std::string> title;
  std::optional<std::string> detail;
  std::optional<domain::Phase> phase;
  std::optional<std::optional<UserId>> assignee;
  std::optional<std::optional<Timestamp>> due_at;
  std::optional<std::string> status;
  std::optional<std::string> notes;
};

struct TimelineInput {
  Timestamp happened_at;
  std::string text;
  std::string source;
  std::vector<std::string> techniques;
};

struct SubmissionInput {
  std::string obligation;
  std::string channel;
  std::vector<std::string> recipients;
  std::string reference;
  std::optional<Timestamp> sent_at;  // default: now
  std::string note;
};

struct ShareInput {
  OrgId organization;
  std::vector<std::string> parts;  // besides the summary: tasks, timeline, observables, evidence
  std::string purpose;
};

struct ObservableInput {
  std::optional<std::string> kind;   // required when adding
  std::optional<std::string> value;  // required when adding
  std::optional<std::string> tlp;
  std::optional<std::vector<std::string>> tags;
  std::optional<bool> is_ioc;
  std::optional<std::string> note;
};

struct ObservableView {
  Observable observable;
  std::vector<Sighting> sightings;  // the same value in other incidents the caller may see
};

struct FollowupInput {
  std::optional<std::string> action;
  std::optional<std::optional<UserId>> owner;
  std::optional<std::string> owner_name;
  std::optional<std::optional<Timestamp>> due_at;
  std::optional<std::string> status;
};

// An evidence file streamed to disk by the server, and what the collector says of it.
struct EvidenceUpload {
  std::string incoming;  // the spooled file
  std::string sha256;
  std::uint64_t size = 0;
  std::string name;
  std::string media_type;
  std::string description;
  std::string collected_by;
  std::string collected_from;
  std::optional<Timestamp> collected_at;  // default: now
  std::string method;
};

struct EvidenceView {
  Evidence evidence;
  std::vector<CustodyEvent> custody;
};

// What a download sends, after the hash was checked.
struct EvidenceDownload {
  Evidence evidence;
  std::string path;
};

struct StatementInput {
  std::string text;
  std::string channel;
  std::optional<Timestamp> published_at;  // default: now
  std::string approved_by;
};

struct MemberInput {
  UserId user;
  std::string role;  // lead | responder | expert | liaison | observer
};

// A member or a possible member, with what the caller needs to show them: users of other
// organisations are not otherwise visible to the agency.
struct MemberView {
  IncidentMember member;
  std::string display_name;
  std::string organization_name;
};

struct MemberCandidate {
  UserId user;
  std::string display_name;
  OrgId organization;
  std::string organization_name;
};

struct CommentView {
  Comment comment;
  std::string author_name;
  std::string organization_name;
};

struct SupportRequestInput {
  OrgId organization;
  std::vector<std::string> kinds;  // expert, forensics, malware-analysis, recovery, coordination, legal
  std::string detail;
  std::vector<std::string> parts;  // shared with the organisation when it does not see the incident yet
};

struct SupportAnswer {
  std::string status;  // the asked organisation: accepted | declined | completed; the agency: withdrawn
  std::string response;
};

// A recipient of an obligation, resolved in the organisation tree when it is there.
struct ResolvedRecipient {
  std::string id;
  const domain::RecipientRule* rule = nullptr;
  std::optional<Organization> organization;
};

struct ObligationView {
  domain::Obligation obligation;
  std::vector<ResolvedRecipient> recipients;
};

// An incident with everything derived from it, as the caller may see it.
struct IncidentView {
  Incident incident;
  std::string reference;  // e.g. "2026-0007"
  std::vector<InformationSystem> systems;
  domain::SeriousAssessment assessment;  // by the criteria, before any override
  domain::ApprovalState approval = domain::ApprovalState::kNone;
  bool approval_needed = false;          // by the rules or by the user
  std::vector<ObligationView> obligations;
  std::vector<domain::Step> steps;       // what the caller may take now
  bool can_change = false;  // classify and take steps (its own agency's workers)
  bool can_work = false;    // add tasks and timeline entries (also a coordinator it is shared with)
  std::vector<domain::PhaseTime> phase_reached;  // first time each phase was reached (the drill's scorecard)
  std::string organization_name;
  std::optional<Share> shared_with_caller;  // set when the caller sees it through a share
};

struct IncidentQuery {
  IncidentFilter filter;
};

struct IncidentPage {
  std::vector<IncidentView> items;
  std::optional<std::string> next_cursor;  // "<sort key>.<id>"
};

class Incidents {
 public:
  Incidents(Store& store, const Clock& clock, const Catalog& catalog, EvidenceFiles& files)
      : store_(store), clock_(clock), catalog_(catalog), files_(files) {}

  // A staff member's report (any signed-in user who may report).
  Result<IncidentView> report(const Principal& p, IncidentInput in, const RequestMeta& meta);
  // Opened by a responder, the API or from an external notice.
  Result<IncidentView> create(const Principal& p, IncidentInput in, const RequestMeta& meta);
  Result<IncidentPage> list(const Principal& p, IncidentQuery q);
  Result<IncidentView> get(const Principal& p, IncidentId id);
  Result<IncidentView> update(const Principal& p, IncidentId id, std::int64_t version, const IncidentChanges& in,
                              const RequestMeta& meta);
  Result<IncidentView> take_step(const Principal& p, IncidentId id, std::int64_t version, const StepInput& in,
                                 const RequestMeta& meta);
  Result<std::vector<TransitionRecord>> history(const Principal& p, IncidentId id);

  Result<std::vector<Approval>> approvals(const Principal& p, IncidentId id);
  Result<Approval> decide(const Principal& p, IncidentId id, ApprovalId approval, const DecisionInput& in,
                          const RequestMeta& meta);

  Result<std::vector<Task>> tasks(const Principal& p, IncidentId id);
  Result<Task> add_task(const Principal& p, IncidentId id, const TaskInput& in, const RequestMeta& meta);
  Result<Task> update_task(const Principal& p, IncidentId id, TaskId task, std::int64_t version, const TaskInput& in,
                           const RequestMeta& meta);

  Result<std::vector<TimelineEntry>> timeline(const Principal& p, IncidentId id);
  Result<TimelineEntry> add_timeline(const Principal& p, IncidentId id, const TimelineInput& in,
                                     const RequestMeta& meta);

  Result<std::vector<ReportSubmission>> submissions(const Principal& p, IncidentId id);
  Result<ReportSubmission> record_submission(const Principal& p, IncidentId id, const SubmissionInput& in,
                                             const RequestMeta& meta);

  // Sharing with coordinators and the response team (plan §2.1 d, f).
  Result<std::vector<Share>> shares(const Principal& p, IncidentId id);
  Result<Share> share(const Principal& p, IncidentId id, const ShareInput& in, const RequestMeta& meta);
  Result<Share> revoke_share(const Principal& p, IncidentId id, ShareId share, const RequestMeta& meta);
  // Organisations an incident may be shared with: the coordinators and national organisations
  // of the response network, and the caller's own ancestors.
  Result<std::vector<Organization>> share_targets(const Principal& p);

  Result<std::vector<ObservableView>> observables(const Principal& p, IncidentId id);
  Result<ObservableView> add_observable(const Principal& p, IncidentId id, const ObservableInput& in, const RequestMeta& meta);
  Result<ObservableView> update_observable(const Principal& p, IncidentId id, ObservableId observable,
                                           const ObservableInput& in, const RequestMeta& meta);
  Status delete_observable(const Principal& p, IncidentId id, ObservableId observable, const RequestMeta& meta);

  Result<std::vector<EvidenceView>> evidence(const Principal& p, IncidentId id);
  Result<EvidenceView> add_evidence(const Principal& p, IncidentId id, const EvidenceUpload& in, const RequestMeta& meta);
  Result<EvidenceView> transfer_evidence(const Principal& p, IncidentId id, EvidenceId evidence, const std::string& to,
                                         const std::string& note, const RequestMeta& meta);
  // Re-checks the stored content against its SHA-256 and records the download in the chain of
  // custody; evidence_corrupted (and a hash-mismatch entry) when the content changed.
  Result<EvidenceDownload> download_evidence(const Principal& p, IncidentId id, EvidenceId evidence,
                                             const RequestMeta& meta);

  // What the incidents the caller sees (its own and those shared with it) still owe: pending
  // and overdue obligations, soonest due first (the coordinator's view across agencies).
  Result<std::vector<std::pair<IncidentView, ObligationView>>> owed(const Principal& p);

  Result<std::vector<SavedFilter>> saved_filters(const Principal& p);
  Result<SavedFilter> save_filter(const Principal& p, const std::string& name, const std::string& query,
                                  const RequestMeta& meta);
  Status delete_filter(const Principal& p, SavedFilterId id, const RequestMeta& meta);

  Result<std::vector<Followup>> followups(const Principal& p, IncidentId id);
  // Open follow-up actions of the caller's agency, across its incidents.
  Result<std::vector<Followup>> open_followups(const Principal& p);
  Result<Followup> add_followup(const Principal& p, IncidentId id, const FollowupInput& in, const RequestMeta& meta);
  Result<Followup> update_followup(const Principal& p, IncidentId id, FollowupId followup, const FollowupInput& in,
                                   const RequestMeta& meta);

  // Merges a duplicate into another incident of the same agency: the duplicate keeps its
  // records, leaves the lists and takes no more steps.
  Result<IncidentView> merge(const Principal& p, IncidentId duplicate, std::int64_t version, IncidentId into,
                             const RequestMeta& meta);

  // The incident's team (plan §2.1 f): members from the agency and from the organisations it
  // is shared with; revoking a share ends the memberships of that organisation.
  Result<std::vector<MemberView>> members(const Principal& p, IncidentId id);
  Result<std::vector<MemberCandidate>> member_candidates(const Principal& p, IncidentId id);
  Result<MemberView> add_member(const Principal& p, IncidentId id, const MemberInput& in, const RequestMeta& meta);
  Result<MemberView> remove_member(const Principal& p, IncidentId id, MemberId member, const RequestMeta& meta);

  // Requests for support to the national coordinator or the response team (Decision 05/2017
  // Art. 14): the request shares the incident with the organisation when it does not see it
  // yet; that organisation answers it.
  Result<std::vector<SupportRequest>> support_requests(const Principal& p, IncidentId id);
  Result<SupportRequest> request_support(const Principal& p, IncidentId id, const SupportRequestInput& in,
                                         const RequestMeta& meta);
  Result<SupportRequest> answer_support(const Principal& p, IncidentId id, SupportRequestId request,
                                        const SupportAnswer& in, const RequestMeta& meta);

  Result<std::vector<CommentView>> comments(const Principal& p, IncidentId id);
  Result<CommentView> add_comment(const Principal& p, IncidentId id, const std::string& text, const RequestMeta& meta);

  Result<std::vector<PublicStatement>> statements(const Principal& p, IncidentId id);
  Result<PublicStatement> add_statement(const Principal& p, IncidentId id, const StatementInput& in, const RequestMeta& meta);

  const Catalog& catalog() const { return catalog_; }

 private:
  Result<IncidentView> open(const Principal& p, IncidentInput in, const RequestMeta& meta);
  Result<Share> grant(Tx& tx, const Principal& p, const Incident& incident, const ShareInput& in, const RequestMeta& meta);
  IncidentView view(Tx& tx, const Principal& p, Incident incident, std::optional<Share> share = {});
  Status validate(Tx& tx, const Principal& p, const Incident& incident);
  void derive(Tx& tx, Incident& incident);
  Status apply_observable(Observable& o, const ObservableInput& in) const;
  void create_playbook_tasks(Tx& tx, const Principal& p, const Incident& incident);
  void add_entry(Tx& tx, const Principal& p, const Incident& incident, std::string kind, std::string text,
                 std::optional<Timestamp> happened_at = {});

  Store& store_;
  const Clock& clock_;
  const Catalog& catalog_;
  EvidenceFiles& files_;
};

}  // namespace khien::service
