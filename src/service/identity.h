#pragma once
// Signing in and out, sessions, API tokens, and each user's own account (password, TOTP,
// language).
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "service/context.h"
#include "service/login_throttle.h"
#include "service/records.h"
#include "service/security_settings.h"
#include "service/store.h"

namespace khien::service {

struct Me {
  User user;
  Organization organization;
  std::vector<std::string> permissions;
  bool totp_enrolment_required = false;
};

struct LoginInput {
  std::string username;
  std::string password;
  std::optional<std::string> totp;
  std::optional<std::string> previous_session_id;  // rotated out on success
};

struct LoginResult {
  std::string session_id;  // the cookie value; only its hash is stored
  std::string csrf_token;
  Me me;
};

struct TotpEnrolment {
  std::string secret;
  std::string uri;
};

struct TokenCreate {
  std::string name;
  std::string scope;
  std::optional<int> expires_in_days;
};

struct CreatedToken {
  ApiToken token;
  std::string secret;
};

struct TokenPage {
  std::vector<ApiToken> items;
  std::optional<std::int64_t> next_after_id;
};

class Identity {
 public:
  Identity(Store& store, const Clock& clock, SecuritySettings settings);

  Result<LoginResult> login(const LoginInput& in, const RequestMeta& meta);
  Status logout(const Principal& p, const RequestMeta& meta);

  // The principal behind a session cookie or a bearer token; `unauthenticated` or
  // `session_expired` when there is none.
  Result<Principal> authenticate_session(std::string_view session_id);
  Result<Principal> authenticate_token(std::string_view secret);

  Result<Me> me(const Principal& p);
  Result<Me> update_me(const Principal& p, std::optional<std::string> display_name,
                       std::optional<std::string> locale, const RequestMeta& meta);
  Status change_password(const Principal& p, std::string_view current, std::string_view next,
                         const RequestMeta& meta);
  Result<TotpEnrolment> begin_totp(const Principal& p, const RequestMeta& meta);
  Status confirm_totp(const Principal& p, std::string_view code, const RequestMeta& meta);
  Status disable_totp(const Principal& p, std::string_view password, std::string_view code, const RequestMeta& meta);

  Result<CreatedToken> create_token(const Principal& p, const TokenCreate& in, const RequestMeta& meta);
  Result<TokenPage> list_tokens(const Principal& p, std::optional<std::int64_t> after_id, int limit);
  Status revoke_token(const Principal& p, TokenId id, const RequestMeta& meta);

  const SecuritySettings& settings() const { return settings_; }

 private:
  Result<Principal> principal_for(Tx& tx, const User& user);
  Result<Me> load_me(Tx& tx, const Principal& p);

  Store& store_;
  const Clock& clock_;
  SecuritySettings settings_;
  LoginThrottle throttle_;
};

// Checks `password` against the policy and returns a validation error on `field` if it fails.
Status check_password_policy(const SecuritySettings& s, std::string_view field, std::string_view password,
                             std::string_view username);

}  // namespace khien::service
