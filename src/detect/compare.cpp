#include "detect/compare.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/time.h"

namespace khien::detect {

using sigma::Modifier;

std::optional<double> to_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double v = 0;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    std::uint64_t u = 0;
    const auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), u, 16);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return static_cast<double>(u);
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Network> parse_ip(std::string_view text, int default_prefix_v4, int default_prefix_v6) {
  Network n;
  std::string s(text);
  const auto slash = s.find('/');
  std::string address = s.substr(0, slash);
  if (inet_pton(AF_INET, address.c_str(), n.bytes) == 1) {
    n.family = AF_INET;
    n.prefix = default_prefix_v4;
  } else if (inet_pton(AF_INET6, address.c_str(), n.bytes) == 1) {
    n.family = AF_INET6;
    n.prefix = default_prefix_v6;
  } else {
    return std::nullopt;
  }
  if (slash != std::string::npos) {
    const auto p = std::string_view(s).substr(slash + 1);
    int prefix = -1;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    const int max = n.family == AF_INET ? 32 : 128;
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max) return std::nullopt;
    n.prefix = prefix;
  }
  return n;
}

bool in_network(const Network& net, std::string_view ip_text) {
  const auto ip = parse_ip(ip_text, 32, 128);
  if (!ip || ip->family != net.family) return false;
  const int full = net.prefix / 8, rest = net.prefix % 8;
  if (!std::equal(net.bytes, net.bytes + full, ip->bytes)) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (net.bytes[full] & mask) == (ip->bytes[full] & mask);
}

std::optional<std::int64_t> to_time_us(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!fixed_digits(s, 0, 4, y) || !fixed_digits(s, 5, 2, mo) || !fixed_digits(s, 8, 2, d) || !fixed_digits(s, 11, 2, h) ||
      !fixed_digits(s, 14, 2, mi) || !fixed_digits(s, 17, 2, se) ||
      h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                         std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t fraction_us = 0;  // digits past the microsecond are read and dropped
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    static constexpr std::int64_t kScale[] = {100000, 10000, 1000, 100, 10, 1};
    for (std::size_t k = 0; ++i < s.size() && s[i] >= '0' && s[i] <= '9'; ++k)
      if (k < std::size(kScale)) fraction_us += (s[i] - '0') * kScale[k];
  }
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return ((std::int64_t{days} * 24 + h) * 60 + mi) * 60'000'000 + std::int64_t{se} * 1'000'000 + fraction_us;
}

std::optional<std::tm> to_time(std::string_view s) {
  const auto us = to_time_us(s);
  if (!us) return std::nullopt;
  const auto seconds = std::chrono::floor<std::chrono::seconds>(std::chrono::sys_time<std::chrono::microseconds>(
      std::chrono::microseconds(*us)));
  const time_t epoch = std::chrono::system_clock::to_time_t(seconds);
  std::tm t{};
  gmtime_r(&epoch, &t);  // with tm_wday and tm_yday
  return t;
}

int time_part(const std::tm& t, Modifier m) {
  switch (m) {
    case Modifier::kMinute: return t.tm_min;
    case Modifier::kHour: return t.tm_hour;
    case Modifier::kDay: return t.tm_mday;
    case Modifier::kWeek: {  // ISO 8601 week number
      char buf[4];
      std::strftime(buf, sizeof buf, "%V", &t);
      return std::atoi(buf);
    }
    case Modifier::kMonth: return t.tm_mon + 1;
    default: return t.tm_year + 1900;
  }
}

bool is_time_part(Modifier m) {
  return m == Modifier::kMinute || m == Modifier::kHour || m == Modifier::kDay || m == Modifier::kWeek ||
         m == Modifier::kMonth || m == Modifier::kYear;
}

}  // namespace khien::detect
