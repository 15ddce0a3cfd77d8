#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "domain/roles.h"

using namespace khien::domain;

// Reads permission_matrix.txt (the table a reviewer reads) and checks every cell of it against
// the code, and that the table names every action and role.
TEST(PermissionMatrix, EveryCellMatchesTheTable) {
  std::ifstream in(KHIEN_TEST_DATA "/domain/permission_matrix.txt");
  ASSERT_TRUE(in) << "permission_matrix.txt not found";
  std::set<std::string> actions_seen;
  std::string line;
  int cells = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    std::string action;
    row >> action;
    actions_seen.insert(action);
    for (Role role : kAllRoles) {
      std::string cell;
      row >> cell;
      ASSERT_TRUE(cell == "yes" || cell == "no") << line;
      bool found = false;
      for (Action a : kAllActions) {
        if (action_name(a) != action) continue;
        found = true;
        EXPECT_EQ(permits(role, a), cell == "yes") << action << " / " << role_name(role);
        ++cells;
      }
      ASSERT_TRUE(found) << "unknown action in the table: " << action;
    }
  }
  for (Action a : kAllActions) EXPECT_TRUE(actions_seen.count(std::string(action_name(a)))) << action_name(a);
  EXPECT_EQ(cells, static_cast<int>(kAllActions.size() * kAllRoles.size()));
}

TEST(Roles, NamesRoundTrip) {
  for (Role r : kAllRoles) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("root"));
  EXPECT_FALSE(parse_role("Administrator"));
}
