#include "domain/roles.h"

namespace khien::domain {

namespace {
struct Row {
  Action action;
  // administrator, security-officer, responder, viewer, auditor, director
  std::array<bool, kAllRoles.size()> allowed;
};

// The permission matrix. The security officer (cán bộ chuyên trách) runs the plan and reads
// the audit log; the auditor reads everything and changes nothing; users and organisations
// are managed by administrators only. Responders work incidents; sharing, closing and
// reopening are the officer's; the director decides requests for direction.
constexpr std::array<Row, kAllActions.size()> kMatrix = {{
    {Action::kOrganizationRead, {true, true, true, true, true, true}},
    {Action::kOrganizationCreate, {true, false, false, false, false, false}},
    {Action::kOrganizationUpdate, {true, false, false, false, false, false}},
    {Action::kUserRead, {true, true, true, false, true, true}},
    {Action::kUserCreate, {true, false, false, false, false, false}},
    {Action::kUserUpdate, {true, false, false, false, false, false}},
    {Action::kUserResetPassword, {true, false, false, false, false, false}},
    {Action::kAuditRead, {true, true, false, false, true, true}},
    {Action::kOwnAccountManage, {true, true, true, true, true, true}},
    {Action::kOwnTokensManage, {true, true, true, true, true, true}},
    {Action::kIncidentReport, {true, true, true, true, false, true}},
    {Action::kIncidentRead, {true, true, true, true, true, true}},
    {Action::kIncidentManage, {true, true, true, false, false, false}},
    {Action::kIncidentShare, {true, true, false, false, false, false}},
    {Action::kApprovalDecide, {false, false, false, false, false, true}},
    {Action::kSystemRead, {true, true, true, true, true, true}},
    {Action::kSystemManage, {true, true, false, false, false, false}},
}};
}  // namespace

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kAdministrator: return "administrator";
    case Role::kSecurityOfficer: return "security-officer";
    case Role::kResponder: return "responder";
    case Role::kViewer: return "viewer";
    case Role::kAuditor: return "auditor";
    case Role::kDirector: return "director";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : kAllRoles)
    if (role_name(r) == name) return r;
  return std::nullopt;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kOrganizationRead: return "organization.read";
    case Action::kOrganizationCreate: return "organization.create";
    case Action::kOrganizationUpdate: return "organization.update";
    case Action::kUserRead: return "user.read";
    case Action::kUserCreate: return "user.create";
    case Action::kUserUpdate: return "user.update";
    case Action::kUserResetPassword: return "user.reset_password";
    case Action::kAuditRead: return "audit.read";
    case Action::kOwnAccountManage: return "account.manage";
    case Action::kOwnTokensManage: return "tokens.manage";
    case Action::kIncidentReport: return "incident.report";
    case Action::kIncidentRead: return "incident.read";
    case Action::kIncidentManage: return "incident.manage";
    case Action::kIncidentShare: return "incident.share";
    case Action::kApprovalDecide: return "approval.decide";
    case Action::kSystemRead: return "system.read";
    case Action::kSystemManage: return "system.manage";
  }
  return "";
}

bool permits(Role role, Action action) {
  for (const auto& row : kMatrix)
    if (row.action == action) return row.allowed[static_cast<std::size_t>(role)];
  return false;
}

}  // namespace khien::domain
