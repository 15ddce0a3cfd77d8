#pragma once
// Roles of the plan and what each may do: the permission matrix, one table, tested row by row.
#include <array>
#include <optional>
#include <string_view>

namespace khien::domain {

enum class Role { kAdministrator, kSecurityOfficer, kResponder, kViewer, kAuditor };
inline constexpr std::array kAllRoles = {Role::kAdministrator, Role::kSecurityOfficer, Role::kResponder, Role::kViewer,
                                         Role::kAuditor};

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
};
inline constexpr std::array kAllActions = {
    Action::kOrganizationRead, Action::kOrganizationCreate, Action::kOrganizationUpdate, Action::kUserRead,
    Action::kUserCreate,       Action::kUserUpdate,         Action::kUserResetPassword,  Action::kAuditRead,
    Action::kOwnAccountManage, Action::kOwnTokensManage};

std::string_view role_name(Role r);  // "administrator", "security-officer", ...
std::optional<Role> parse_role(std::string_view name);
std::string_view action_name(Action a);  // "organization.read", ...

// True when `role` may perform `action` within its own organisation's scope.
bool permits(Role role, Action action);

}  // namespace khien::domain
