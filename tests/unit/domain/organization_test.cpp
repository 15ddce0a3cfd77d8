#include <gtest/gtest.h>

#include "domain/organization.h"

using namespace khien;
using namespace khien::domain;

namespace {
// national 1 → coordinator 2 → agencies 3 and 4; 3 → unit 5 → unit 6; 4 → unit 7
OrgTree demo_tree() {
  return OrgTree({{OrgId(1), std::nullopt, OrgKind::kNational},
                  {OrgId(2), OrgId(1), OrgKind::kCoordinator},
                  {OrgId(3), OrgId(2), OrgKind::kAgency},
                  {OrgId(4), OrgId(2), OrgKind::kAgency},
                  {OrgId(5), OrgId(3), OrgKind::kUnit},
                  {OrgId(6), OrgId(5), OrgKind::kUnit},
                  {OrgId(7), OrgId(4), OrgKind::kUnit}});
}
}  // namespace

TEST(OrgTree, UnitsBelongToTheirAgency) {
  const auto t = demo_tree();
  EXPECT_EQ(t.tenant_of(OrgId(6)), OrgId(3));
  EXPECT_EQ(t.tenant_of(OrgId(5)), OrgId(3));
  EXPECT_EQ(t.tenant_of(OrgId(3)), OrgId(3));
  EXPECT_EQ(t.tenant_of(OrgId(2)), OrgId(2));
}

TEST(OrgTree, SiblingAgenciesNeverSeeEachOther) {
  const auto t = demo_tree();
  EXPECT_FALSE(t.org_visible(OrgId(5), OrgId(4)));
  EXPECT_FALSE(t.org_visible(OrgId(3), OrgId(7)));
  EXPECT_FALSE(t.same_tenant(OrgId(3), OrgId(7)));
}

TEST(OrgTree, MembersSeeTheirAncestorsForContextButCannotManageThem) {
  const auto t = demo_tree();
  EXPECT_TRUE(t.org_visible(OrgId(6), OrgId(1)));
  EXPECT_FALSE(t.org_manageable(OrgId(6), OrgId(2)));
  EXPECT_TRUE(t.org_manageable(OrgId(6), OrgId(5)));
}

TEST(OrgTree, ParentSeesTheTreeBelowButNotTheDataOfChildren) {
  const auto t = demo_tree();
  EXPECT_TRUE(t.org_visible(OrgId(2), OrgId(7)));
  EXPECT_TRUE(t.org_manageable(OrgId(2), OrgId(4)));
  EXPECT_FALSE(t.same_tenant(OrgId(2), OrgId(3)));
}

TEST(OrgTree, CycleWrittenByHandDoesNotHang) {
  const OrgTree t({{OrgId(1), OrgId(2), OrgKind::kUnit}, {OrgId(2), OrgId(1), OrgKind::kUnit}});
  EXPECT_EQ(t.ancestors(OrgId(1)).size(), 2u);
  (void)t.tenant_of(OrgId(1));
}

TEST(OrgKinds, NestingFollowsThePlan) {
  EXPECT_TRUE(may_nest(std::nullopt, OrgKind::kNational));
  EXPECT_FALSE(may_nest(std::nullopt, OrgKind::kUnit));
  EXPECT_TRUE(may_nest(OrgKind::kNational, OrgKind::kCoordinator));
  EXPECT_TRUE(may_nest(OrgKind::kCoordinator, OrgKind::kAgency));
  EXPECT_TRUE(may_nest(OrgKind::kAgency, OrgKind::kUnit));
  EXPECT_FALSE(may_nest(OrgKind::kAgency, OrgKind::kAgency));
  EXPECT_FALSE(may_nest(OrgKind::kUnit, OrgKind::kAgency));
  EXPECT_FALSE(may_nest(OrgKind::kCoordinator, OrgKind::kNational));
}
