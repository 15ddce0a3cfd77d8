#include "cli/config.h"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <cstdlib>

namespace khien::cli {

namespace {
enum class Kind { kText, kPath, kCount, kListen };

struct Key {
  std::string_view name;
  Kind kind;
  std::string_view description;
  std::function<void(Config&, const std::string&)> set_text;
  std::function<void(Config&, std::int64_t)> set_count;
  std::int64_t min = 1;
  std::int64_t max = 1LL << 40;
};

std::vector<Key> keys() {
  using std::chrono::seconds;
  return {
      {"data_dir", Kind::kPath, "Directory of the database and evidence; created if missing",
       [](Config& c, const std::string& v) { c.data_dir = v; }, nullptr},
      {"listen", Kind::kListen, "Address and port to serve on, HOST:PORT (loopback by default)",
       [](Config& c, const std::string& v) { c.listen = v; }, nullptr},
      {"web_dir", Kind::kPath, "Directory of the built web UI (web/dist); empty: next to the binary",
       [](Config& c, const std::string& v) { c.web_dir = v; }, nullptr},
      {"log_level", Kind::kText, "trace, debug, info, warn, error or off",
       [](Config& c, const std::string& v) { c.log_level = v; }, nullptr},
      {"http.io_threads", Kind::kCount, "Threads doing network I/O", nullptr,
       [](Config& c, std::int64_t v) { c.http.io_threads = static_cast<int>(v); }, 1, 64},
      {"http.workers", Kind::kCount, "Threads answering requests (store calls run here)", nullptr,
       [](Config& c, std::int64_t v) { c.http.workers = static_cast<int>(v); }, 1, 256},
      {"http.max_connections", Kind::kCount, "Connections served at once; more are closed at once", nullptr,
       [](Config& c, std::int64_t v) { c.http.max_connections = static_cast<std::size_t>(v); }, 1, 1000000},
      {"http.header_limit_bytes", Kind::kCount, "Largest request header", nullptr,
       [](Config& c, std::int64_t v) { c.http.header_limit = static_cast<std::size_t>(v); }, 1024, 1 << 20},
      {"http.body_limit_bytes", Kind::kCount, "Largest JSON request body", nullptr,
       [](Config& c, std::int64_t v) { c.body_limit_bytes = static_cast<std::size_t>(v); }, 1024, 1LL << 30},
      {"http.upload_limit_bytes", Kind::kCount, "Largest evidence file uploaded (streamed to disk)", nullptr,
       [](Config& c, std::int64_t v) { c.upload_limit_bytes = static_cast<std::uint64_t>(v); }, 1024, 1LL << 40},
      {"http.header_timeout_seconds", Kind::kCount, "Time a client has to send a request header", nullptr,
       [](Config& c, std::int64_t v) { c.http.header_timeout = seconds(v); }, 1, 3600},
      {"http.idle_timeout_seconds", Kind::kCount, "Time a kept-alive connection may wait for its next request",
       nullptr, [](Config& c, std::int64_t v) { c.http.idle_timeout = seconds(v); }, 1, 3600},
      {"http.request_timeout_seconds", Kind::kCount, "Time to receive a body and to send an answer", nullptr,
       [](Config& c, std::int64_t v) { c.http.request_timeout = seconds(v); }, 1, 3600},
      {"http.drain_timeout_seconds", Kind::kCount, "At shutdown, time given to requests in flight", nullptr,
       [](Config& c, std::int64_t v) { c.http.drain_timeout = seconds(v); }, 1, 3600},
      {"tls.certificate", Kind::kPath, "PEM certificate chain; with tls.private_key turns on HTTPS",
       [](Config& c, const std::string& v) { c.http.tls_certificate = v; }, nullptr},
      {"tls.private_key", Kind::kPath, "PEM private key", [](Config& c, const std::string& v) {
         c.http.tls_private_key = v;
       }, nullptr},
      {"auth.session_idle_minutes", Kind::kCount, "A session unused this long ends", nullptr,
       [](Config& c, std::int64_t v) { c.security.session_idle = std::chrono::minutes(v); }, 1, 10080},
      {"auth.session_absolute_hours", Kind::kCount, "A session ends this long after sign-in, used or not", nullptr,
       [](Config& c, std::int64_t v) { c.security.session_absolute = std::chrono::hours(v); }, 1, 720},
      {"auth.max_failures_per_account", Kind::kCount, "Failed sign-ins of one account within the window before 429",
       nullptr, [](Config& c, std::int64_t v) { c.security.max_failures_per_account = static_cast<int>(v); }, 1,
       1000},
      {"auth.max_failures_per_address", Kind::kCount, "Failed sign-ins from one address within the window before 429",
       nullptr, [](Config& c, std::int64_t v) { c.security.max_failures_per_address = static_cast<int>(v); }, 1,
       100000},
      {"auth.throttle_window_seconds", Kind::kCount, "The window in which failed sign-ins are counted", nullptr,
       [](Config& c, std::int64_t v) { c.security.throttle_window = seconds(v); }, 1, 86400},
      {"auth.password_min_length", Kind::kCount, "Shortest password accepted (characters)", nullptr,
       [](Config& c, std::int64_t v) { c.security.password_policy.min_length = static_cast<std::size_t>(v); }, 8,
       128},
  };
}

std::string env_name(std::string_view key) {
  std::string out = "KHIEN_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

Status check_text(const Key& k, const std::string& v, const std::string& where) {
  if (k.kind == Kind::kListen && v.rfind(':') == std::string::npos)
    return Error("config_invalid", fmt::format("{}: '{}' must be HOST:PORT, e.g. 127.0.0.1:8080", where, k.name));
  if (k.name == "log_level") {
    for (auto l : {"trace", "debug", "info", "warn", "error", "off"})
      if (v == l) return {};
    return Error("config_invalid",
                 fmt::format("{}: '{}' must be one of trace, debug, info, warn, error, off", where, k.name));
  }
  return {};
}

Status apply_text(const Key& k, Config& c, const std::string& v, const std::string& where) {
  if (k.set_text) {
    KHIEN_TRY(check_text(k, v, where));
    k.set_text(c, v);
    return {};
  }
  std::int64_t n = 0;
  std::size_t used = 0;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size())
    return Error("config_invalid", fmt::format("{}: '{}' must be a whole number, got '{}'", where, k.name, v));
  if (n < k.min || n > k.max)
    return Error("config_invalid", fmt::format("{}: '{}' must be between {} and {}, got {}", where, k.name, k.min, k.max, n));
  k.set_count(c, n);
  return {};
}

Status apply_toml(const std::vector<Key>& all, Config& c, const toml::table& table, const std::string& prefix,
                  const std::string& file) {
  for (const auto& [name, node] : table) {
    const std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    const auto line = node.source().begin.line;
    const std::string where = fmt::format("{}:{}", file, line);
    if (const auto* sub = node.as_table()) {
      if (key.find('.') != std::string::npos || (key != "http" && key != "tls" && key != "auth"))
        return Error("config_invalid", fmt::format("{}: unknown section [{}]", where, key));
      KHIEN_TRY(apply_toml(all, c, *sub, key, file));
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(), [&](const Key& k) { return k.name == key; });
    if (it == all.end()) return Error("config_invalid", fmt::format("{}: unknown key '{}'", where, key));
    if (it->set_text) {
      const auto* s = node.as_string();
      if (!s) return Error("config_invalid", fmt::format("{}: '{}' must be a string", where, key));
      KHIEN_TRY(apply_text(*it, c, s->get(), where));
    } else {
      const auto* n = node.as_integer();
      if (!n) return Error("config_invalid", fmt::format("{}: '{}' must be a whole number", where, key));
      KHIEN_TRY(apply_text(*it, c, std::to_string(n->get()), where));
    }
  }
  return {};
}
}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::vector<KeyInfo> config_keys() {
  std::vector<KeyInfo> out;
  for (const auto& k : keys()) out.push_back({std::string(k.name), env_name(k.name), std::string(k.description)});
  return out;
}

Result<Config> load_config(const std::optional<std::filesystem::path>& file, const EnvLookup& env,
                           const std::map<std::string, std::string>& flags) {
  const auto all = keys();
  Config c;
  std::optional<std::filesystem::path> path = file;
  if (!path) {
    if (auto e = env("KHIEN_CONFIG"); e && !e->empty()) path = *e;
  }
  if (path) {
    try {
      const auto table = toml::parse_file(path->string());
      KHIEN_TRY(apply_toml(all, c, table, "", path->string()));
    } catch (const toml::parse_error& e) {
      return Error("config_invalid", fmt::format("{}:{}: {}", path->string(), e.source().begin.line, e.description()));
    }
  }
  for (const auto& k : all) {
    const auto name = env_name(k.name);
    if (auto v = env(name)) KHIEN_TRY(apply_text(k, c, *v, "environment variable " + name));
  }
  for (const auto& [key, value] : flags) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Key& k) { return k.name == key; });
    if (it == all.end()) return Error("config_invalid", "unknown setting " + key);
    KHIEN_TRY(apply_text(*it, c, value, "flag --" + std::string(key)));
  }
  return c;
}

}  // namespace khien::cli
