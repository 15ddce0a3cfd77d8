#pragma once
// Who is calling and from where; passed to every service call.
#include <string>

#include "base/ids.h"
#include "base/result.h"
#include "domain/roles.h"

namespace khien::service {

struct RequestMeta {
  std::string address;
  std::string user_agent;
};

struct Principal {
  UserId user;
  std::string username;
  OrgId organization;
  OrgId tenant;  // the organisation whose data the user works on (own org, or a unit's agency)
  domain::Role role = domain::Role::kViewer;
  bool via_token = false;
  bool read_only = false;        // a token with scope "read"
  std::string session_id_hash;   // when signed in with the session cookie
  std::string csrf_token;        // idem
  bool totp_enrolment_required = false;
  bool password_change_required = false;
};

enum class Access { kRead, kChange };

// The one gate every service call passes: role (permission matrix), token scope, and the
// first-sign-in duties (a required password change or TOTP enrolment come before anything else).
Status authorize(const Principal& p, domain::Action action, Access access);

}  // namespace khien::service
