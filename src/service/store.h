#pragma once
// What the services need from persistence. Implemented by store/sqlite (and later postgres).
// A Tx is used by one thread for the length of one transaction; Store is thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
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

class Tx : public OrganizationRecords,
           public UserRecords,
           public SessionRecords,
           public TokenRecords,
           public AuditRecords {};

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
