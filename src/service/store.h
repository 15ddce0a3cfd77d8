#pragma once
// What the services need from persistence. Implemented by store/sqlite (and later postgres).
// A Tx is used by one thread for the length of one transaction; Store is thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "service/incident_records.h"
#include "service/records.h"

namespace khien::service {

class OrganizationRecords {
 public:
  virtual ~OrganizationRecords() = default;
  virtual std::vector<Organization> list_organizations() = 0;
  virtual std::optional<Organization> find_organization(OrgId id) = 0;
  virtual std::optional<Organization> find_organization_by_slug(std::string_view slug) = 0;
  virtual OrgId insert_organization(const Organization& org) = 0;
  virtual void update_organization(const Organization& org) = 0;
};

class UserRecords {
 public:
  virtual ~UserRecords() = default;
  virtual std::optional<User> find_user(UserId id) = 0;
  virtual std::optional<User> find_user_by_username(std::string_view username) = 0;
  virtual std::vector<User> list_users(const UserFilter& filter) = 0;
  virtual std::int64_t count_users(const std::vector<OrgId>& organizations) = 0;
  virtual UserId insert_user(const User& user) = 0;
  virtual void update_user(const User& user) = 0;
};

class SessionRecords {
 public:
  virtual ~SessionRecords() = default;
  virtual void insert_session(const Session& session) = 0;
  virtual std::optional<Session> find_session(std::string_view id_hash) = 0;
  virtual void touch_session(std::string_view id_hash, Timestamp at) = 0;
  virtual void delete_session(std::string_view id_hash) = 0;
  // Ends every session of `user` except the one whose hash is `keep` (may be empty).
  virtual void delete_sessions_of(UserId user, std::string_view keep) = 0;
  virtual void delete_sessions_before(Timestamp created_before, Timestamp seen_before) = 0;
};

class TokenRecords {
 public:
  virtual ~TokenRecords() = default;
  virtual TokenId insert_token(const ApiToken& token) = 0;
  virtual std::optional<ApiToken> find_token(TokenId id) = 0;
  virtual std::optional<ApiToken> find_token_by_hash(std::string_view secret_hash) = 0;
  virtual std::vector<ApiToken> list_tokens(UserId user, std::optional<std::int64_t> after_id, int limit) = 0;
  virtual void update_token(const ApiToken& token) = 0;
};

class AuditRecords {
 public:
  virtual ~AuditRecords() = default;
  virtual std::optional<domain::ChainHead> audit_head() = 0;
  // Appends an entry and moves the head to it.
  virtual AuditId append_audit(const domain::AuditContent& content, std::string_view hash) = 0;
  virtual std::vector<AuditRecord> list_audit(const AuditFilter& filter) = 0;
  virtual std::optional<AuditRecord> find_audit(AuditId id) = 0;
  // Every entry in id order, for verification.
  virtual void scan_audit(const std::function<void(const AuditRecord&)>& visit) = 0;
};

class SystemRecords {
 public:
  virtual ~SystemRecords() = default;
  virtual std::vector<InformationSystem> list_systems(OrgId organization) = 0;
  virtual std::optional<InformationSystem> find_system(SystemId id) = 0;
  virtual SystemId insert_system(const InformationSystem& s) = 0;
  // Writes `s` when its stored version is `s.version - 1`; false when someone wrote first.
  virtual bool update_system(const InformationSystem& s) = 0;
};

class IncidentRecords {
 public:
  virtual ~IncidentRecords() = default;
  virtual std::optional<Incident> find_incident(IncidentId id) = 0;
  virtual std::vector<Incident> list_incidents(const IncidentFilter& filter) = 0;
  // The next number for `organization`'s incidents of `year`.
  virtual int next_incident_number(OrgId organization, int year) = 0;
  virtual IncidentId insert_incident(const Incident& incident) = 0;
  // Writes `incident` (and its systems) when its stored version is `incident.version - 1`;
  // false when someone wrote first.
  virtual bool update_incident(const Incident& incident) = 0;

  virtual void insert_transition(const TransitionRecord& t) = 0;
  virtual std::vector<TransitionRecord> list_transitions(IncidentId incident) = 0;

  virtual TaskId insert_task(const Task& task) = 0;
  virtual bool update_task(const Task& task) = 0;  // as update_incident
  virtual std::optional<Task> find_task(TaskId id) = 0;
  virtual std::vector<Task> list_tasks(IncidentId incident) = 0;

  virtual TimelineId insert_timeline(const TimelineEntry& e) = 0;
  virtual std::vector<TimelineEntry> list_timeline(IncidentId incident) = 0;

  virtual ApprovalId insert_approval(const Approval& a) = 0;
  virtual void update_approval(const Approval& a) = 0;
  virtual std::vector<Approval> list_approvals(IncidentId incident) = 0;

  virtual SubmissionId insert_submission(const ReportSubmission& s) = 0;
  virtual std::vector<ReportSubmission> list_submissions(IncidentId incident) = 0;

  virtual ShareId insert_share(const Share& s) = 0;
  virtual void revoke_share(const Share& s) = 0;  // writes revoked_by and revoked_at
  virtual std::vector<Share> list_shares(IncidentId incident) = 0;
  // Incidents with an active share to `organization`.
  virtual std::vector<IncidentId> shared_with(OrgId organization) = 0;

  virtual ObservableId insert_observable(const Observable& o) = 0;
  virtual void update_observable(const Observable& o) = 0;
  virtual void delete_observable(ObservableId id) = 0;
  virtual std::vector<Observable> list_observables(IncidentId incident) = 0;
  // Other incidents with an observable of this kind and value, among `organizations`' own
  // incidents and `also`.
  virtual std::vector<Sighting> sightings(const std::string& kind, const std::string& value, IncidentId except,
                                          const std::vector<OrgId>& organizations,
                                          const std::vector<IncidentId>& also) = 0;

  virtual EvidenceId insert_evidence(const Evidence& e) = 0;
  virtual void set_evidence_holder(EvidenceId id, const std::string& holder) = 0;
  virtual std::vector<Evidence> list_evidence(IncidentId incident) = 0;
  virtual void insert_custody(const CustodyEvent& c) = 0;
  virtual std::vector<CustodyEvent> list_custody(EvidenceId evidence) = 0;

  virtual SavedFilterId insert_saved_filter(const SavedFilter& f) = 0;
  virtual void delete_saved_filter(SavedFilterId id) = 0;
  virtual std::vector<SavedFilter> list_saved_filters(UserId user) = 0;

  virtual FollowupId insert_followup(const Followup& f) = 0;
  virtual void update_followup(const Followup& f) = 0;
  virtual std::vector<Followup> list_followups(IncidentId incident) = 0;
  // Open follow-ups of `organization`'s incidents, soonest due first.
  virtual std::vector<Followup> open_followups(OrgId organization) = 0;

  // Facts of the incidents owned by `organizations` or in `also`, detected in [from, to),
  // drills included only when asked.
  virtual std::vector<IncidentFacts> incident_facts(const std::vector<OrgId>& organizations,
                                                    const std::vector<IncidentId>& also, Timestamp from, Timestamp to,
                                                    bool drills) = 0;

  virtual MemberId insert_member(const IncidentMember& m) = 0;
  virtual void remove_member(const IncidentMember& m) = 0;  // writes removed_by and removed_at
  virtual std::vector<IncidentMember> list_members(IncidentId incident) = 0;
  virtual SupportRequestId insert_support_request(const SupportRequest& r) = 0;
  virtual void update_support_request(const SupportRequest& r) = 0;  // status and the answer
  virtual std::vector<SupportRequest> list_support_requests(IncidentId incident) = 0;
  virtual CommentId insert_comment(const Comment& c) = 0;
  virtual std::vector<Comment> list_comments(IncidentId incident) = 0;
  virtual StatementId insert_statement(const PublicStatement& s) = 0;
  virtual std::vector<PublicStatement> list_statements(IncidentId incident) = 0;
};

// Each interface once: the adapter may implement a group of them in a class of its own.
class Tx : public OrganizationRecords,
           public UserRecords,
           public SessionRecords,
           public TokenRecords,
           public AuditRecords,
           public virtual SystemRecords,
           public virtual IncidentRecords {};

struct StoreStats {
  int connections = 0;
  int in_use = 0;
  std::uint64_t waits = 0;  // times a caller had to wait for a free connection
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs `work` in a read transaction (a consistent snapshot).
  virtual Status read(const std::function<Status(Tx&)>& work) = 0;
  // Runs `work` in a write transaction; commits when it returns OK, rolls back otherwise
  // (and when it throws). Writers are serialised.
  virtual Status write(const std::function<Status(Tx&)>& work) = 0;
  virtual Status ping() = 0;
  virtual StoreStats stats() const = 0;
};

}  // namespace khien::service
