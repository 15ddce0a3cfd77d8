#pragma once
// The records the services keep. Plain values; the store persists them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "base/time.h"
#include "domain/audit_chain.h"
#include "domain/organization.h"
#include "domain/roles.h"

namespace khien::service {

struct Organization {
  OrgId id;
  std::string slug;
  std::string name;
  domain::OrgKind kind = domain::OrgKind::kAgency;
  std::optional<OrgId> parent;
  bool require_totp = false;
  std::optional<std::string> regulatory_profile;  // unset: the parent's
  Timestamp created_at;
};

struct User {
  UserId id;
  std::string username;
  std::string display_name;
  std::string email;
  domain::Role role = domain::Role::kViewer;
  OrgId organization;
  bool disabled = false;
  std::string password_hash;
  bool password_change_required = false;
  std::optional<std::string> totp_secret;   // base32, enrolled
  std::optional<std::string> totp_pending;  // base32, enrolment started and not confirmed
  std::optional<std::int64_t> totp_last_step;
  std::string locale = "vi";
  Timestamp created_at;
  std::optional<Timestamp> last_login_at;
};

struct Session {
  std::string id_hash;  // SHA-256 of the cookie value; the value itself is never stored
  UserId user;
  std::string csrf_token;
  Timestamp created_at;
  Timestamp last_seen_at;
  std::string address;
  std::string user_agent;
};

struct ApiToken {
  TokenId id;
  UserId user;
  std::string name;
  std::string scope;  // read | read-write
  std::string prefix;
  std::string secret_hash;
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;
};

struct AuditRecord {
  AuditId id;
  domain::AuditContent content;
  std::string hash;
};

struct UserFilter {
  std::vector<OrgId> organizations;  // only users of these
  std::optional<std::string> text;   // part of username or display name
  bool include_disabled = true;
  std::optional<std::int64_t> after_id;  // cursor: ids greater than this
  int limit = 50;
};

struct AuditFilter {
  std::vector<OrgId> organizations;  // only entries of these
  std::optional<std::string> action;
  std::optional<std::string> actor;
  std::optional<std::string> target_type;
  std::optional<std::string> target_id;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<std::int64_t> before_id;  // cursor: newest first, ids less than this
  int limit = 50;
};

}  // namespace khien::service
