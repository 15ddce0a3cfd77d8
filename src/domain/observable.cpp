#include "domain/observable.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace khien::domain {

namespace {

constexpr std::array<std::pair<ObservableKind, std::string_view>, kAllObservableKinds.size()> kNames = {{
    {ObservableKind::kIp, "ip"},
    {ObservableKind::kCidr, "cidr"},
    {ObservableKind::kDomain, "domain"},
    {ObservableKind::kUrl, "url"},
    {ObservableKind::kEmail, "email"},
    {ObservableKind::kMd5, "md5"},
    {ObservableKind::kSha1, "sha1"},
    {ObservableKind::kSha256, "sha256"},
    {ObservableKind::kAccount, "account"},
    {ObservableKind::kFileName, "file-name"},
    {ObservableKind::kProcess, "process"},
    {ObservableKind::kRegistryKey, "registry-key"},
}};

Error invalid(std::string reason) { return validation_error("value", "invalid_value", std::move(reason)); }

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Replaces every `from` (ASCII case-insensitively when asked). Builds a new string rather than
// replacing in place (GCC 12 at -O3 warns falsely about std::string::replace).
void replace_all(std::string& s, std::string_view from, std::string_view to, bool ignore_case = false) {
  const auto same = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    bool match = pos + from.size() <= s.size();
    for (std::size_t k = 0; match && k < from.size(); ++k) match = same(s[pos + k], from[k]);
    if (match) {
      out.append(to);
      pos += from.size();
    } else {
      out.push_back(s[pos++]);
    }
  }
  s = std::move(out);
}

Result<std::string> ip(const std::string& v) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, v.c_str(), buf) == 1) return std::string(inet_ntop(AF_INET, buf, out, sizeof out));
  if (inet_pton(AF_INET6, v.c_str(), buf) == 1) return std::string(inet_ntop(AF_INET6, buf, out, sizeof out));
  return invalid("not an IPv4 or IPv6 address");
}

Result<std::string> cidr(const std::string& v) {
  const auto slash = v.find('/');
  if (slash == std::string::npos) return invalid("expected address/prefix");
  const std::string addr = v.substr(0, slash);
  const std::string prefix_text = v.substr(slash + 1);
  if (prefix_text.empty() || prefix_text.size() > 3 ||
      !std::all_of(prefix_text.begin(), prefix_text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return invalid("the prefix length is not a number");
  const int prefix = std::stoi(prefix_text);
  unsigned char buf[16] = {};
  int family = AF_INET;
  int bits = 32;
  if (inet_pton(AF_INET, addr.c_str(), buf) != 1) {
    family = AF_INET6;
    bits = 128;
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) return invalid("not an IPv4 or IPv6 network");
  }
  if (prefix > bits) return invalid("the prefix length is too long");
  // Keep the network part only.
  for (int i = prefix; i < bits; ++i) buf[i / 8] = static_cast<unsigned char>(buf[i / 8] & ~(0x80 >> (i % 8)));
  char out[INET6_ADDRSTRLEN];
  return std::string(inet_ntop(family, buf, out, sizeof out)) + "/" + std::to_string(prefix);
}

Result<std::string> domain_name(std::string v) {
  if (!v.empty() && v.back() == '.') v.pop_back();
  if (v.empty() || v.size() > 253) return invalid("empty or longer than 253 characters");
  char* ascii = nullptr;
  const int rc = idn2_to_ascii_8z(v.c_str(), &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc != IDN2_OK) return invalid(std::string("not a valid domain name: ") + idn2_strerror(rc));
  std::string out = lower(ascii);
  idn2_free(ascii);
  if (out.find('.') == std::string::npos) return invalid("a domain name has at least two labels");
  for (char c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return invalid("not a valid domain name");
  return out;
}

Result<std::string> url(const std::string& v) {
  const auto scheme_end = v.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return invalid("expected scheme://host/…");
  const std::string scheme = lower(v.substr(0, scheme_end));
  if (!std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; }))
    return invalid("not a valid scheme");
  const std::string rest = v.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "" : rest.substr(path_start);
  std::string userinfo;
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  std::string host = authority;
  std::string port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return invalid("unclosed IPv6 address");
    port = host.substr(close + 1);
    auto addr = ip(host.substr(1, close - 1));
    if (!addr) return addr.error();
    host = "[" + *addr + "]";
  } else {
    if (const auto colon = host.rfind(':'); colon != std::string::npos) {
      port = host.substr(colon);
      host = host.substr(0, colon);
    }
    if (auto addr = ip(host)) {
      host = *addr;
    } else {
      auto d = domain_name(host);
      if (!d) return invalid("the host is neither an address nor a domain name");
      host = *d;
    }
  }
  if (!port.empty() && (port.size() < 2 || port.front() != ':' ||
                        !std::all_of(port.begin() + 1, port.end(), [](unsigned char c) { return std::isdigit(c); })))
    return invalid("not a valid port");
  return scheme + "://" + userinfo + host + port + (path.empty() ? "/" : path);
}

Result<std::string> email(const std::string& v) {
  const auto at = v.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == v.size()) return invalid("expected local@domain");
  const std::string local = v.substr(0, at);
  if (local.size() > 64 || local.find_first_of(" \t<>\"") != std::string::npos) return invalid("not a valid local part");
  auto d = domain_name(v.substr(at + 1));
  if (!d) return d.error();
  return local + "@" + *d;
}

Result<std::string> hash(const std::string& v, std::size_t length, const char* name) {
  if (v.size() != length || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isxdigit(c); }))
    return invalid(std::string("an ") + name + " is " + std::to_string(length) + " hexadecimal digits");
  return lower(v);
}

Result<std::string> registry_key(std::string v) {
  replace_all(v, "/", "\\");
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kHives = {{
      {"HKLM", "HKEY_LOCAL_MACHINE"}, {"HKCU", "HKEY_CURRENT_USER"}, {"HKCR", "HKEY_CLASSES_ROOT"},
      {"HKU", "HKEY_USERS"}, {"HKCC", "HKEY_CURRENT_CONFIG"}}};
  const auto sep = v.find('\\');
  std::string hive = v.substr(0, sep);
  std::string upper = hive;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const auto& [abbr, full] : kHives)
    if (upper == abbr) upper = full;
  if (upper.rfind("HKEY_", 0) != 0) return invalid("a registry key starts with its hive (HKLM, HKEY_LOCAL_MACHINE, …)");
  return upper + (sep == std::string::npos ? "" : v.substr(sep));
}

}  // namespace

std::string_view observable_kind_name(ObservableKind k) {
  for (const auto& [kind, name] : kNames)
    if (kind == k) return name;
  return "";
}

std::optional<ObservableKind> parse_observable_kind(std::string_view name) {
  for (const auto& [kind, n] : kNames)
    if (n == name) return kind;
  return std::nullopt;
}

std::string refang(std::string_view text) {
  std::string s(text);
  for (std::string_view dot : {"[.]", "(.)", "{.}", "[dot]", "(dot)"}) replace_all(s, dot, ".", true);
  for (std::string_view colon : {"[:]", "(:)"}) replace_all(s, colon, ":");
  for (std::string_view at : {"[@]", "(@)", "[at]", "(at)"}) replace_all(s, at, "@", true);
  replace_all(s, "[://]", "://");
  replace_all(s, "[/]", "/");
  for (std::string_view scheme : {"hxxps", "hxxp", "fxp"}) {
    if (s.size() >= scheme.size() && lower(s.substr(0, scheme.size())) == scheme) {
      s = std::string(scheme == "fxp" ? "ftp" : scheme == "hxxps" ? "https" : "http") + s.substr(scheme.size());
      break;
    }
  }
  return s;
}

Result<std::string> normalize_observable(ObservableKind kind, std::string_view value) {
  std::string v = trim(value);
  if (v.empty()) return validation_error("value", "required");
  if (v.size() > 2048) return validation_error("value", "too_long", "2048");
  switch (kind) {
    case ObservableKind::kIp: return ip(refang(v));
    case ObservableKind::kCidr: return cidr(refang(v));
    case ObservableKind::kDomain: return domain_name(refang(v));
    case ObservableKind::kUrl: return url(refang(v));
    case ObservableKind::kEmail: return email(refang(v));
    case ObservableKind::kMd5: return hash(v, 32, "MD5");
    case ObservableKind::kSha1: return hash(v, 40, "SHA-1");
    case ObservableKind::kSha256: return hash(v, 64, "SHA-256");
    case ObservableKind::kAccount:
    case ObservableKind::kFileName:
    case ObservableKind::kProcess: return v;
    case ObservableKind::kRegistryKey: return registry_key(v);
  }
  return invalid("unknown kind");
}

}  // namespace khien::domain
