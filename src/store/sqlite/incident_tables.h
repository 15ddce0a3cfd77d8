#pragma once
// The SQLite side of SystemRecords and IncidentRecords (service/store.h), mixed into the
// store's transaction class.
#include "service/store.h"
#include "store/sqlite/db.h"

namespace khien::store {

class SqliteIncidentTables : public virtual service::SystemRecords, public virtual service::IncidentRecords {
 public:
  explicit SqliteIncidentTables(sqlite::Connection& c) : db_(c) {}

  std::vector<service::InformationSystem> list_systems(OrgId organization) override;
  std::optional<service::InformationSystem> find_system(service::SystemId id) override;
  service::SystemId insert_system(const service::InformationSystem& s) override;
  bool update_system(const service::InformationSystem& s) override;

  std::optional<service::Incident> find_incident(service::IncidentId id) override;
  std::vector<service::Incident> list_incidents(const service::IncidentFilter& filter) override;
  int next_incident_number(OrgId organization, int year) override;
  service::IncidentId insert_incident(const service::Incident& incident) override;
  bool update_incident(const service::Incident& incident) override;

  void insert_transition(const service::TransitionRecord& t) override;
  std::vector<service::TransitionRecord> list_transitions(service::IncidentId incident) override;

  service::TaskId insert_task(const service::Task& task) override;
  bool update_task(const service::Task& task) override;
  std::optional<service::Task> find_task(service::TaskId id) override;
  std::vector<service::Task> list_tasks(service::IncidentId incident) override;

  service::TimelineId insert_timeline(const service::TimelineEntry& e) override;
  std::vector<service::TimelineEntry> list_timeline(service::IncidentId incident) override;

  service::ApprovalId insert_approval(const service::Approval& a) override;
  void update_approval(const service::Approval& a) override;
  std::vector<service::Approval> list_approvals(service::IncidentId incident) override;

  service::SubmissionId insert_submission(const service::ReportSubmission& s) override;
  std::vector<service::ReportSubmission> list_submissions(service::IncidentId incident) override;

  service::ShareId insert_share(const service::Share& s) override;
  void revoke_share(const service::Share& s) override;
  std::vector<service::Share> list_shares(service::IncidentId incident) override;
  std::vector<service::IncidentId> shared_with(OrgId organization) override;

  service::ObservableId insert_observable(const service::Observable& o) override;
  void update_observable(const service::Observable& o) override;
  void delete_observable(service::ObservableId id) override;
  std::vector<service::Observable> list_observables(service::IncidentId incident) override;
  std::vector<service::Sighting> sightings(const std::string& kind, const std::string& value, service::IncidentId except,
                                           const std::vector<OrgId>& organizations,
                                           const std::vector<service::IncidentId>& also) override;

  service::EvidenceId insert_evidence(const service::Evidence& e) override;
  void set_evidence_holder(service::EvidenceId id, const std::string& holder) override;
  std::vector<service::Evidence> list_evidence(service::IncidentId incident) override;
  void insert_custody(const service::CustodyEvent& c) override;
  std::vector<service::CustodyEvent> list_custody(service::EvidenceId evidence) override;

  service::SavedFilterId insert_saved_filter(const service::SavedFilter& f) override;
  void delete_saved_filter(service::SavedFilterId id) override;
  std::vector<service::SavedFilter> list_saved_filters(UserId user) override;

  service::FollowupId insert_followup(const service::Followup& f) override;
  void update_followup(const service::Followup& f) override;
  std::vector<service::Followup> list_followups(service::IncidentId incident) override;
  std::vector<service::Followup> open_followups(OrgId organization) override;
  std::vector<service::IncidentFacts> incident_facts(const std::vector<OrgId>& organizations,
                                                     const std::vector<service::IncidentId>& also, Timestamp from,
                                                     Timestamp to, bool drills) override;

  service::MemberId insert_member(const service::IncidentMember& m) override;
  void remove_member(const service::IncidentMember& m) override;
  std::vector<service::IncidentMember> list_members(service::IncidentId incident) override;
  service::SupportRequestId insert_support_request(const service::SupportRequest& r) override;
  void update_support_request(const service::SupportRequest& r) override;
  std::vector<service::SupportRequest> list_support_requests(service::IncidentId incident) override;
  service::CommentId insert_comment(const service::Comment& c) override;
  std::vector<service::Comment> list_comments(service::IncidentId incident) override;
  service::StatementId insert_statement(const service::PublicStatement& s) override;
  std::vector<service::PublicStatement> list_statements(service::IncidentId incident) override;

 private:
  std::vector<service::SystemId> incident_systems(service::IncidentId id);
  void write_incident_systems(const service::Incident& incident);
  sqlite::Connection& db_;
};

}  // namespace khien::store
