#pragma once
// The tests of Sigma values the engine decides in code rather than by a scan: numbers
// (decimal or 0x hex), IP networks (CIDR, v4 and v6) and the parts of a time; and an
// event's time, which the readers of JSON take from it.
#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

#include "detect/sigma/rule.h"

namespace khien::detect {

std::optional<double> to_number(std::string_view s);

struct Network {
  int family = 0;  // AF_INET or AF_INET6
  unsigned char bytes[16] = {};
  int prefix = 0;
};
// "10.0.0.0/8", "fe80::/10", or an address (the whole address as its network).
std::optional<Network> parse_ip(std::string_view text, int default_prefix_v4, int default_prefix_v6);
bool in_network(const Network& net, std::string_view ip_text);

// An event's time as EVTX writes it ("2019-03-19T23:34:25.278345Z", any fraction, the zone
// not read) or as Sysmon and NXLog do ("2019-03-19 23:34:25.278"): microseconds since
// 1970-01-01 UTC; nullopt when it is neither or names no real day.
std::optional<std::int64_t> to_time_us(std::string_view s);
// The same as broken-down UTC time.
std::optional<std::tm> to_time(std::string_view s);
bool is_time_part(sigma::Modifier m);
// The minute, hour, day, ISO week, month or year of `t`, as the modifier names it.
int time_part(const std::tm& t, sigma::Modifier m);

}  // namespace khien::detect
