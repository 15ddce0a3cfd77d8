#include <gtest/gtest.h>

#include "base/crypto.h"
#include "domain/audit_chain.h"

using namespace khien::domain;

namespace {
struct Chain {
  std::vector<AuditContent> contents;
  std::vector<StoredAuditEntry> entries;
  ChainHead head;
};

Chain make_chain(int n) {
  Chain c;
  std::string prev(kAuditGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AuditContent a;
    a.at = "2026-11-24T00:00:0" + std::to_string(i) + ".000Z";
    a.actor = "admin";
    a.action = "user.create";
    a.target_type = "user";
    a.target_id = std::to_string(i);
    a.changes["n"] = i;
    a.outcome = "success";
    a.prev_hash = prev;
    const auto h = audit_hash(a);
    c.contents.push_back(a);
    c.entries.push_back({i, prev, h, h});
    prev = h;
  }
  c.head = {n, prev};
  return c;
}
}  // namespace

TEST(AuditChain, HashCoversEveryField) {
  khien::crypto::init();
  auto c = make_chain(1);
  auto a = c.contents[0];
  const auto h = audit_hash(a);
  a.user_agent = "x";
  EXPECT_NE(audit_hash(a), h);
  a = c.contents[0];
  a.changes["n"] = 2;
  EXPECT_NE(audit_hash(a), h);
}

TEST(AuditChain, IntactChainVerifies) {
  auto c = make_chain(5);
  EXPECT_TRUE(verify_chain(c.entries, c.head).intact);
  EXPECT_TRUE(verify_chain({}, std::nullopt).intact);
}

TEST(AuditChain, ModifiedEntryIsNamed) {
  auto c = make_chain(5);
  c.entries[2].computed_hash = "changed";
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.fault, ChainFault::kModified);
  EXPECT_EQ(v.entry_id, 3);
}

TEST(AuditChain, ModifiedLastEntryIsNamed) {
  auto c = make_chain(5);
  c.entries[4].computed_hash = "changed";
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kModified);
  EXPECT_EQ(v.entry_id, 5);
}

TEST(AuditChain, DeletedEntryIsMissing) {
  auto c = make_chain(5);
  c.entries.erase(c.entries.begin() + 2);
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kMissing);
  EXPECT_EQ(v.entry_id, 4);
}

TEST(AuditChain, DeletedTailIsMissing) {
  auto c = make_chain(5);
  c.entries.pop_back();
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kMissing);
  EXPECT_EQ(v.entry_id, 5);
}

TEST(AuditChain, AppendedEntryIsInserted) {
  auto c = make_chain(5);
  c.entries.push_back({6, c.head.last_hash, "made-up", "different"});
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kInserted);
  EXPECT_EQ(v.entry_id, 6);
}

TEST(AuditChain, AppendedEntryWithoutHeadIsInserted) {
  auto c = make_chain(5);
  c.entries.push_back({6, c.head.last_hash, "made-up", "different"});
  EXPECT_EQ(verify_chain(c.entries, std::nullopt).fault, ChainFault::kInserted);
}

TEST(AuditChain, EntryInsertedInTheMiddleIsInserted) {
  auto c = make_chain(5);
  auto fake = c.entries[1];
  fake.id = 2;
  fake.hash = fake.computed_hash = "fake";
  fake.prev_hash = c.entries[0].hash;
  for (std::size_t i = 1; i < c.entries.size(); ++i) c.entries[i].id += 1;
  c.entries.insert(c.entries.begin() + 1, fake);
  c.head.last_id = 6;
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kInserted);
  EXPECT_EQ(v.entry_id, 2);
}

TEST(AuditChain, SwappedEntriesAreReordered) {
  auto c = make_chain(5);
  std::swap(c.entries[1], c.entries[2]);
  std::swap(c.entries[1].id, c.entries[2].id);
  const auto v = verify_chain(c.entries, c.head);
  EXPECT_EQ(v.fault, ChainFault::kReordered);
  EXPECT_EQ(v.entry_id, 2);
}
