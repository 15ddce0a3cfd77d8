#include <gtest/gtest.h>

#include <fstream>

#include "cli/config.h"

using namespace khien;
using namespace khien::cli;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

// A TOML file that is removed when the test ends.
struct TomlFile {
  explicit TomlFile(const std::string& text)
      : path(std::filesystem::temp_directory_path() /
             ("khien-config-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
              ".toml")) {
    std::ofstream(path) << text;
  }
  ~TomlFile() { std::filesystem::remove(path); }
  operator std::filesystem::path() const { return path; }  // NOLINT(google-explicit-constructor)
  std::filesystem::path path;
};
}  // namespace

TEST(Config, DefaultsAreSafe) {
  auto c = load_config(std::nullopt, env_of({}), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen, "127.0.0.1:8080");
  EXPECT_EQ(c->http.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->security.max_failures_per_account, 5);
}

TEST(Config, FlagsBeatEnvironmentWhichBeatsTheFile) {
  const TomlFile file("listen = \"127.0.0.1:1000\"\ndata_dir = \"/from/file\"\n[http]\nworkers = 3\n");
  auto c = load_config(file, env_of({{"KHIEN_LISTEN", "127.0.0.1:2000"}, {"KHIEN_HTTP_WORKERS", "5"}}),
                       {{"listen", "127.0.0.1:3000"}});
  ASSERT_TRUE(c.ok()) << c.error().detail();
  EXPECT_EQ(c->listen, "127.0.0.1:3000");
  EXPECT_EQ(c->http.workers, 5);
  EXPECT_EQ(c->data_dir, "/from/file");
}

TEST(Config, UnknownKeyIsNamedWithItsLine) {
  const TomlFile file("listen = \"127.0.0.1:1000\"\n\n[http]\nworkerz = 3\n");
  auto c = load_config(file, env_of({}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail().find(":4: unknown key 'http.workerz'"), std::string::npos) << c.error().detail();
}

TEST(Config, WrongTypeIsNamedWithItsLine) {
  const TomlFile file("[auth]\nmax_failures_per_account = \"five\"\n");
  auto c = load_config(file, env_of({}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail().find(":2: 'auth.max_failures_per_account' must be a whole number"), std::string::npos)
      << c.error().detail();
}

TEST(Config, SyntaxErrorIsNamedWithItsLine) {
  const TomlFile file("listen = \"127.0.0.1:1000\"\nlog_level = \n");
  auto c = load_config(file, env_of({}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail().find(":2:"), std::string::npos) << c.error().detail();
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  auto c = load_config(std::nullopt, env_of({{"KHIEN_HTTP_HEADER_TIMEOUT_SECONDS", "0"}}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail().find("KHIEN_HTTP_HEADER_TIMEOUT_SECONDS"), std::string::npos);
}

TEST(Config, ExampleFileDocumentsEveryKey) {
  std::ifstream in(KHIEN_TEST_DATA "/../../config/khien.example.toml");
  ASSERT_TRUE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  for (const auto& k : config_keys()) {
    const auto leaf = k.key.substr(k.key.rfind('.') + 1);
    EXPECT_NE(text.find(leaf + " ="), std::string::npos) << k.key;
  }
  auto c = load_config(std::filesystem::path(KHIEN_TEST_DATA "/../../config/khien.example.toml"), env_of({}), {});
  EXPECT_TRUE(c.ok()) << c.error().detail();
}
