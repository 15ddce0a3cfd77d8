#pragma once
// Settings of `khien`, from (lowest to highest) built-in defaults, a TOML file, KHIEN_*
// environment variables, and command-line flags. config/khien.example.toml documents each key.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "http/server.h"
#include "service/security_settings.h"

namespace khien::cli {

struct Config {
  std::filesystem::path data_dir = "khien-data";
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path web_dir;  // empty: found next to the binary
  std::string log_level = "info";
  std::size_t body_limit_bytes = 1024 * 1024;
  std::uint64_t upload_limit_bytes = 2ull << 30;  // an evidence file
  http::ServerOptions http;
  service::SecuritySettings security;
};

// Reads the environment; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// Builds the configuration. `flags` holds dotted keys given on the command line (e.g.
// {"listen", "127.0.0.1:9000"}). A bad value names the key and where it came from (file and
// line, environment variable or flag).
Result<Config> load_config(const std::optional<std::filesystem::path>& file, const EnvLookup& env,
                           const std::map<std::string, std::string>& flags);

// Every key: its name, environment variable and description (for --help and the docs).
struct KeyInfo {
  std::string key;
  std::string env;
  std::string description;
};
std::vector<KeyInfo> config_keys();

}  // namespace khien::cli
