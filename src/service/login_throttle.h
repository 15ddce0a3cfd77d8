#pragma once
// Counts failed sign-ins per account and per address in a sliding window. In memory: a
// restart forgets, which only ever makes it more lenient. Thread-safe.
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/time.h"

namespace khien::service {

class LoginThrottle {
 public:
  LoginThrottle(int max_per_account, int max_per_address, std::chrono::seconds window)
      : max_account_(max_per_account), max_address_(max_per_address), window_(window) {}

  // Seconds to wait when the account or the address has too many recent failures.
  std::optional<int> blocked(const std::string& account, const std::string& address, Timestamp now);
  void failed(const std::string& account, const std::string& address, Timestamp now);
  void succeeded(const std::string& account);

 private:
  using Failures = std::deque<Timestamp>;
  std::optional<int> check(std::unordered_map<std::string, Failures>& map, const std::string& key, int max,
                           Timestamp now);
  void add(std::unordered_map<std::string, Failures>& map, const std::string& key, Timestamp now);

  const int max_account_;
  const int max_address_;
  const std::chrono::seconds window_;
  std::mutex mu_;  // guards both maps
  std::unordered_map<std::string, Failures> accounts_;
  std::unordered_map<std::string, Failures> addresses_;
};

}  // namespace khien::service
