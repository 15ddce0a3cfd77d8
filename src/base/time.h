#pragma once
// Time inside Khiên: UTC, millisecond precision. Shown to users in their zone by the UI.
#include <chrono>
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

inline std::int64_t to_unix_ms(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_unix_ms(std::int64_t ms) { return Timestamp(Milliseconds(ms)); }

}  // namespace khien
