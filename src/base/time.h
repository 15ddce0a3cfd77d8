#pragma once
// Time inside Khiên: UTC, millisecond precision. Shown to users in their zone by the UI.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

using Milliseconds = std::chrono::milliseconds;
using Timestamp = std::chrono::sys_time<Milliseconds>;

// The source of time; tests give a fixed one. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// RFC 3339 in UTC with milliseconds: 2026-11-24T23:30:00.123Z
std::string format_rfc3339(Timestamp t);

// Parses RFC 3339 (with Z or ±hh:mm offset, optional fraction) or a plain date (YYYY-MM-DD,
// midnight UTC). nullopt when malformed.
std::optional<Timestamp> parse_rfc3339(std::string_view s);

// Exactly n decimal digits of s at pos, as a number; false when s has fewer or another character.
inline bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos > s.size() || n > s.size() - pos) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (digit > 9) return false;
    v = v * 10 + static_cast<int>(digit);
  }
  out = v;
  return true;
}

inline std::int64_t to_unix_ms(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_unix_ms(std::int64_t ms) { return Timestamp(Milliseconds(ms)); }

}  // namespace khien
