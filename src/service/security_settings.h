#pragma once
#include <chrono>

#include "domain/password_policy.h"

namespace khien::service {

struct SecuritySettings {
  std::chrono::minutes session_idle{30};
  std::chrono::hours session_absolute{12};
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
  std::chrono::seconds throttle_window{900};
  domain::PasswordPolicy password_policy;
};

}  // namespace khien::service
