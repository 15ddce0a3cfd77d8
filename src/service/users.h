#pragma once
// Managing the users of an organisation and its units.
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "service/context.h"
#include "service/records.h"
#include "service/security_settings.h"
#include "service/store.h"

namespace khien::service {

struct UserCreate {
  std::string username;
  std::string display_name;
  std::string email;
  domain::Role role = domain::Role::kViewer;
  OrgId organization;
  std::string password;
};

struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> email;
  std::optional<domain::Role> role;
  std::optional<OrgId> organization;
  std::optional<bool> disabled;
};

struct UserQuery {
  std::optional<OrgId> organization;
  std::optional<std::string> text;
  bool include_disabled = true;
  std::optional<std::int64_t> after_id;
  int limit = 50;
};

struct UserPage {
  std::vector<User> items;
  std::optional<std::int64_t> next_after_id;
};

class Users {
 public:
  Users(Store& store, const Clock& clock, const SecuritySettings& settings)
      : store_(store), clock_(clock), settings_(settings) {}

  Result<UserPage> list(const Principal& p, const UserQuery& q);
  Result<User> get(const Principal& p, UserId id);
  Result<User> create(const Principal& p, const UserCreate& in, const RequestMeta& meta);
  Result<User> update(const Principal& p, UserId id, const UserUpdate& in, const RequestMeta& meta);
  // Sets a random temporary password, returned once; the user must change it at next sign-in.
  Result<std::string> reset_password(const Principal& p, UserId id, const RequestMeta& meta);

  // Operator commands (command line): no principal, audited as the system.
  Result<User> create_as_operator(const UserCreate& in, const RequestMeta& meta);
  Result<std::vector<User>> list_as_operator(std::optional<OrgId> organization);
  Result<std::string> reset_password_as_operator(std::string_view username, const RequestMeta& meta);
  Status disable_as_operator(std::string_view username, const RequestMeta& meta);

 private:
  Result<User> insert(Tx& tx, const UserCreate& in, const std::optional<Principal>& p, const RequestMeta& meta);
  Store& store_;
  const Clock& clock_;
  const SecuritySettings& settings_;
};

}  // namespace khien::service
