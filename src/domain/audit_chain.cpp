#include "domain/audit_chain.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <unordered_map>

#include "base/crypto.h"
#include "base/json.h"

namespace khien::domain {

std::string audit_hash(const AuditContent& c) {
  boost::json::object o;
  o["at"] = c.at;
  o["actor_id"] = c.actor_id ? boost::json::value(*c.actor_id) : boost::json::value(nullptr);
  o["actor"] = c.actor;
  o["organization_id"] = c.organization_id ? boost::json::value(*c.organization_id) : boost::json::value(nullptr);
  o["action"] = c.action;
  o["target_type"] = c.target_type;
  o["target_id"] = c.target_id;
  o["changes"] = c.changes;
  o["address"] = c.address;
  o["user_agent"] = c.user_agent;
  o["outcome"] = c.outcome;
  o["prev_hash"] = c.prev_hash;
  return crypto::sha256_hex(json::canonical(o));
}

std::string_view chain_fault_name(ChainFault f) {
  switch (f) {
    case ChainFault::kModified: return "modified";
    case ChainFault::kMissing: return "missing";
    case ChainFault::kInserted: return "inserted";
    case ChainFault::kReordered: return "reordered";
  }
  return "modified";
}

namespace {
ChainVerdict fault(ChainFault f, std::int64_t id, std::string why) {
  return ChainVerdict{false, f, id, std::move(why)};
}
}  // namespace

ChainVerdict verify_chain(const std::vector<StoredAuditEntry>& entries, const std::optional<ChainHead>& head) {
  std::unordered_map<std::string, std::size_t> by_hash;
  for (std::size_t i = 0; i < entries.size(); ++i) by_hash.emplace(entries[i].hash, i);

  std::string expected_prev(kAuditGenesisHash);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (head && e.id > head->last_id)
      return fault(ChainFault::kInserted, e.id,
                   fmt::format("entry {} comes after the last entry Khiên wrote ({})", e.id, head->last_id));
    if (e.prev_hash != expected_prev) {
      auto it = by_hash.find(e.prev_hash);
      if (it != by_hash.end() && it->second > i)
        return fault(ChainFault::kReordered, e.id,
                     fmt::format("entry {} follows entry {}, which is stored after it", e.id, entries[it->second].id));
      for (std::size_t j = i + 1; j < entries.size(); ++j)
        if (entries[j].prev_hash == expected_prev)
          return fault(ChainFault::kInserted, e.id,
                       fmt::format("entry {} does not follow the entry before it; entry {} does", e.id,
                                   entries[j].id));
      if (i > 0 && e.prev_hash == entries[i - 1].prev_hash)
        return fault(ChainFault::kInserted, entries[i - 1].id,
                     fmt::format("entries {} and {} both claim to follow the same entry; {} was added", entries[i - 1].id,
                                 e.id, entries[i - 1].id));
      if (it == by_hash.end())
        return fault(ChainFault::kMissing, e.id,
                     fmt::format("the entry that entry {} follows is no longer in the log", e.id));
      return fault(ChainFault::kReordered, e.id,
                   fmt::format("entry {} follows entry {}, not the entry before it", e.id, entries[it->second].id));
    }
    if (e.computed_hash != e.hash) {
      const bool linked = (i + 1 < entries.size() && entries[i + 1].prev_hash == e.hash) ||
                          (head && head->last_id == e.id && head->last_hash == e.hash);
      if (linked)
        return fault(ChainFault::kModified, e.id, fmt::format("the content of entry {} does not match its hash", e.id));
      return fault(ChainFault::kInserted, e.id,
                   fmt::format("entry {} has a hash no entry links to and that its content does not give", e.id));
    }
    expected_prev = e.hash;
  }
  if (head) {
    const std::int64_t last_id = entries.empty() ? 0 : entries.back().id;
    if (last_id < head->last_id)
      return fault(ChainFault::kMissing, head->last_id,
                   fmt::format("entries up to {} were written but the log ends at {}", head->last_id, last_id));
    if (!entries.empty() && entries.back().hash != head->last_hash)
      return fault(ChainFault::kModified, last_id, fmt::format("the hash of the last entry {} was changed", last_id));
  }
  return ChainVerdict{};
}

}  // namespace khien::domain
