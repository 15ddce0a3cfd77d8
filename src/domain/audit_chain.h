#pragma once
// The audit log is a hash chain: each entry's hash covers its content and the previous
// entry's hash, so a change, removal, insertion or reordering made outside Khiên shows.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace khien::domain {

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// What an entry records. The id (storage order) is not part of the hashed content: the chain
// of prev_hash links is what fixes the order.
struct AuditContent {
  std::string at;  // RFC 3339 UTC
  std::optional<std::int64_t> actor_id;
  std::string actor;  // username at the time, or what was typed for a failed sign-in
  std::optional<std::int64_t> organization_id;
  std::string action;  // e.g. user.create
  std::string target_type;
  std::string target_id;
  boost::json::object changes;
  std::string address;
  std::string user_agent;
  std::string outcome;  // success | failure
  std::string prev_hash;
};

// SHA-256 (hex) of the canonical JSON form of `content`.
std::string audit_hash(const AuditContent& content);

struct StoredAuditEntry {
  std::int64_t id;
  std::string prev_hash;
  std::string hash;           // as stored
  std::string computed_hash;  // recomputed from the stored content
};

struct ChainHead {
  std::int64_t last_id;
  std::string last_hash;
};

enum class ChainFault { kModified, kMissing, kInserted, kReordered };
std::string_view chain_fault_name(ChainFault f);

struct ChainVerdict {
  bool intact = true;
  ChainFault fault = ChainFault::kModified;
  std::int64_t entry_id = 0;  // the first entry found wrong (for kMissing: the entry after the gap)
  std::string explanation;
};

// Checks entries given in id order against each other and against the recorded head.
ChainVerdict verify_chain(const std::vector<StoredAuditEntry>& entries, const std::optional<ChainHead>& head);

}  // namespace khien::domain
