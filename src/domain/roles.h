#pragma once
// Roles of the plan and what each may do: the permission matrix, one table, tested row by row.
#include <array>
#include <optional>
#include <string_view>

namespace khien::domain {

// The director (Giám đốc Sở) heads the agency: reads its incidents and decides what is put to
// him or her for direction (plan §2.1 c); the other roles are the plan's working roles.
enum class Role { kAdministrator, kSecurityOfficer, kResponder, kViewer, kAuditor, kDirector };
inline constexpr std::array kAllRoles = {Role::kAdministrator, Role::kSecurityOfficer, Role::kResponder, Role::kViewer,
                                         Role::kAuditor,        Role::kDirector};

enum class Action {
  kOrganizationRead,
  kOrganizationCreate,
  kOrganizationUpdate,
  kUserRead,
  kUserCreate,
  kUserUpdate,
  kUserResetPassword,
  kAuditRead,
  kOwnAccountManage,  // own profile, password, TOTP
  kOwnTokensManage,   // own API tokens
  kIncidentReport,    // open an incident with the staff report form
  kIncidentRead,
  kIncidentManage,    // classify, tasks, observables, evidence, timeline, workflow steps
  kIncidentShare,     // share, escalate, name the spokesperson, close and reopen
  kApprovalDecide,    // decide a request for direction
  kSystemRead,
  kSystemManage,      // the inventory of information systems
};
inline constexpr std::array kAllActions = {
    Action::kOrganizationRead, Action::kOrganizationCreate, Action::kOrganizationUpdate, Action::kUserRead,
    Action::kUserCreate,       Action::kUserUpdate,         Action::kUserResetPassword,  Action::kAuditRead,
    Action::kOwnAccountManage, Action::kOwnTokensManage,     Action::kIncidentReport,     Action::kIncidentRead,
    Action::kIncidentManage,   Action::kIncidentShare,       Action::kApprovalDecide,     Action::kSystemRead,
    Action::kSystemManage};

std::string_view role_name(Role r);  // "administrator", "security-officer", ...
std::optional<Role> parse_role(std::string_view name);
std::string_view action_name(Action a);  // "organization.read", ...

// True when `role` may perform `action` within its own organisation's scope.
bool permits(Role role, Action action);

}  // namespace khien::domain
