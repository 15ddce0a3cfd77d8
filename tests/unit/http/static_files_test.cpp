#include <gtest/gtest.h>

#include <fstream>

#include "http/router.h"
#include "http/static_files.h"

using namespace khien::http;

namespace {
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() / "khien-static-test";
    std::filesystem::remove_all(base_);
    root_ = base_ / "web";
    std::filesystem::create_directories(root_ / "assets");
    std::ofstream(root_ / "index.html") << "<html>index</html>";
    std::ofstream(root_ / "assets" / "app-abc123.js") << "console.log(1)";
    std::ofstream(root_ / ".env") << "hidden";
    std::ofstream(base_ / "secret.txt") << "SECRET";
    std::filesystem::create_symlink(base_ / "secret.txt", root_ / "link.txt");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  Response get(std::string path) const {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    return StaticFiles(root_).serve(r);
  }
  std::filesystem::path base_, root_;
};
}  // namespace

TEST_F(StaticFilesTest, HashedAssetsAreImmutableAndIndexIsNeverCached) {
  auto asset = get("/assets/app-abc123.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(asset.header("Content-Type"), "text/javascript; charset=utf-8");
  auto index = get("/");
  EXPECT_EQ(index.body, "<html>index</html>");
  EXPECT_EQ(index.header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, RoutesOfTheSpaFallBackToIndex) {
  EXPECT_EQ(get("/organizations/4").body, "<html>index</html>");
  EXPECT_EQ(get("/missing.js").status, 404);
}

TEST_F(StaticFilesTest, NothingOutsideTheRootIsServed) {
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/link.txt", "/.env", "/assets/..",
                           "/..\\secret.txt", "relative"}) {
    const auto r = get(path);
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("hidden"), std::string::npos) << path;
  }
  EXPECT_EQ(get(std::string("/index.html\0.js", 15)).status, 404);
}

TEST(Router, MatchesParametersAndReportsWrongMethods) {
  Router r;
  r.add("GET", "/api/v1/users", 1);
  r.add("GET", "/api/v1/users/{id}", 2);
  r.add("PATCH", "/api/v1/users/{id}", 3);
  auto m = r.match("PATCH", "/api/v1/users/42");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.id, 3);
  EXPECT_EQ(m.params.at(0).second, "42");
  EXPECT_EQ(r.match("HEAD", "/api/v1/users").id, 1);
  auto wrong = r.match("DELETE", "/api/v1/users/42");
  EXPECT_EQ(wrong.kind, Router::Match::Kind::kWrongMethod);
  EXPECT_EQ(wrong.allowed_methods.size(), 2u);
  EXPECT_EQ(r.match("GET", "/api/v1/users/42/x").kind, Router::Match::Kind::kNoPath);
  EXPECT_EQ(r.match("GET", "/api/v1/users/").kind, Router::Match::Kind::kNoPath);
}
