#include "service/context.h"

namespace khien::service {

Status authorize(const Principal& p, domain::Action action, Access access) {
  if (access == Access::kChange && p.read_only) return Error("insufficient_scope");
  const bool own_account = action == domain::Action::kOwnAccountManage;
  if (!own_account && p.password_change_required) return Error("password_change_required");
  if (!own_account && p.totp_enrolment_required) return Error("totp_enrolment_required");
  if (!domain::permits(p.role, action)) return Error("forbidden");
  return {};
}

}  // namespace khien::service
