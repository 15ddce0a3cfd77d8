#include "service/login_throttle.h"

namespace khien::service {

namespace {
constexpr std::size_t kMaxKeys = 100000;  // bounds memory under a spray of usernames
}

std::optional<int> LoginThrottle::check(std::unordered_map<std::string, Failures>& map, const std::string& key,
                                        int max, Timestamp now) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  auto& q = it->second;
  while (!q.empty() && q.front() + window_ <= now) q.pop_front();
  if (q.empty()) {
    map.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(q.size()) < max) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(q.front() + window_ - now).count();
  return static_cast<int>(std::max<std::int64_t>(1, wait));
}

void LoginThrottle::add(std::unordered_map<std::string, Failures>& map, const std::string& key, Timestamp now) {
  if (map.size() >= kMaxKeys) {
    std::erase_if(map, [&](const auto& kv) { return kv.second.empty() || kv.second.back() + window_ <= now; });
  }
  auto& q = map[key];
  q.push_back(now);
  while (q.size() > 1000) q.pop_front();
}

std::optional<int> LoginThrottle::blocked(const std::string& account, const std::string& address, Timestamp now) {
  std::lock_guard lock(mu_);
  auto a = check(accounts_, account, max_account_, now);
  auto b = check(addresses_, address, max_address_, now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void LoginThrottle::failed(const std::string& account, const std::string& address, Timestamp now) {
  std::lock_guard lock(mu_);
  add(accounts_, account, now);
  add(addresses_, address, now);
}

void LoginThrottle::succeeded(const std::string& account) {
  std::lock_guard lock(mu_);
  accounts_.erase(account);
}

}  // namespace khien::service
