#include <gtest/gtest.h>

#include "base/crypto.h"
#include "service/services.h"
#include "store/evidence_dir.h"
#include "store/sqlite/sqlite_store.h"

using namespace khien;
using namespace khien::service;

namespace {
class FixedClock final : public Clock {
 public:
  Timestamp now() const override { return from_unix_ms(1764028800000); }
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("khien-store-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(store::migrate_sqlite(db()).ok());
    auto s = store::open_sqlite_store(db(), 2);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    catalog_ = builtin_catalog().value();
    files_ = std::make_unique<store::EvidenceDirectory>(dir_ / "evidence");
    services_ = std::make_unique<Services>(*store_, clock_, settings_, catalog_, *files_);
  }
  void TearDown() override {
    services_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path db() const { return dir_ / "khien.db"; }

  Organization add_org(const std::string& slug, domain::OrgKind kind, std::optional<OrgId> parent) {
    auto o = services_->organizations.create_as_operator({slug, slug, kind, parent, false}, meta_);
    EXPECT_TRUE(o.ok());
    return *o;
  }
  User add_user(const std::string& name, OrgId org, domain::Role role) {
    auto u = services_->users.create_as_operator({name, name, "", role, org, "Correct-Horse-Battery-9"}, meta_);
    EXPECT_TRUE(u.ok()) << (u.ok() ? "" : u.error().code());
    return *u;
  }
  Principal login(const std::string& name) {
    auto r = services_->identity.login({name, "Correct-Horse-Battery-9", std::nullopt, std::nullopt}, meta_);
    EXPECT_TRUE(r.ok());
    auto p = services_->identity.authenticate_session(r->session_id);
    EXPECT_TRUE(p.ok());
    return *p;
  }

  std::filesystem::path dir_;
  FixedClock clock_;
  SecuritySettings settings_;
  RequestMeta meta_{"127.0.0.1", "test"};
  std::unique_ptr<Store> store_;
  Catalog catalog_;
  std::unique_ptr<EvidenceFiles> files_;
  std::unique_ptr<Services> services_;
};
}  // namespace

TEST_F(StoreTest, MigrationsAreIdempotentAndVersioned) {
  auto again = store::migrate_sqlite(db());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->to_version, store::latest_schema_version());
}

TEST_F(StoreTest, EveryChangeIsAuditedAndTheChainVerifies) {
  const auto root = add_org("root", domain::OrgKind::kAgency, std::nullopt);
  add_user("lan", root.id, domain::Role::kAdministrator);
  login("lan");
  auto v = services_->audit.verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact) << v->explanation;
  int entries = 0;
  (void)store_->read([&](Tx& tx) -> Status {
    tx.scan_audit([&](const AuditRecord&) { ++entries; });
    return {};
  });
  EXPECT_EQ(entries, 3);  // organization.create, user.create, auth.login
}

TEST_F(StoreTest, AgencyCannotSeeOrChangeAnotherAgencysUsers) {
  const auto coord = add_org("coord", domain::OrgKind::kCoordinator, std::nullopt);
  const auto a = add_org("agency-a", domain::OrgKind::kAgency, coord.id);
  const auto b = add_org("agency-b", domain::OrgKind::kAgency, coord.id);
  add_user("admin-a", a.id, domain::Role::kAdministrator);
  const auto bob = add_user("bob", b.id, domain::Role::kResponder);
  const auto pa = login("admin-a");
  EXPECT_EQ(services_->users.get(pa, bob.id).error().code(), "not_found");
  EXPECT_EQ(services_->users.update(pa, bob.id, {.disabled = true}, meta_).error().code(), "not_found");
  EXPECT_EQ(services_->users.list(pa, {.organization = b.id}).error().code(), "not_found");
  auto list = services_->users.list(pa, {});
  ASSERT_TRUE(list.ok());
  for (const auto& u : list->items) EXPECT_NE(u.organization, b.id);
  EXPECT_EQ(services_->organizations.get(pa, b.id).error().code(), "not_found");
}

TEST_F(StoreTest, FailedChangeLeavesNothingBehind) {
  const auto root = add_org("root", domain::OrgKind::kAgency, std::nullopt);
  add_user("lan", root.id, domain::Role::kAdministrator);
  const auto p = login("lan");
  auto dup = services_->users.create(p, {"lan", "Lan", "", domain::Role::kViewer, root.id, "Correct-Horse-Battery-9"},
                                     meta_);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().fields().at(0).code, "taken");
  int entries = 0;
  (void)store_->read([&](Tx& tx) -> Status {
    tx.scan_audit([&](const AuditRecord&) { ++entries; });
    return {};
  });
  EXPECT_EQ(entries, 3);
}

TEST_F(StoreTest, BackupRestoresIntoAFreshDatabase) {
  add_org("root", domain::OrgKind::kAgency, std::nullopt);
  const auto backup = dir_ / "backup.db";
  ASSERT_TRUE(store::backup_sqlite(db(), backup).ok());
  EXPECT_FALSE(store::backup_sqlite(db(), backup).ok());  // never overwrites
  const auto restored = dir_ / "restored.db";
  ASSERT_TRUE(store::restore_sqlite(backup, restored).ok());
  auto s = store::open_sqlite_store(restored, 1);
  ASSERT_TRUE(s.ok());
  std::size_t orgs = 0;
  (void)(*s)->read([&](Tx& tx) -> Status {
    orgs = tx.list_organizations().size();
    return {};
  });
  EXPECT_EQ(orgs, 1u);
}
