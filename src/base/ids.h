#pragma once
// Strong identifier types: an OrgId can never be passed where a UserId is expected.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

template <class Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : v_(v) {}
  constexpr std::int64_t value() const { return v_; }
  constexpr bool valid() const { return v_ > 0; }
  std::string str() const { return std::to_string(v_); }
  friend constexpr auto operator<=>(Id, Id) = default;

  // Parses the decimal form used in URLs and JSON; nullopt for anything else.
  static std::optional<Id> parse(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    if (v <= 0) return std::nullopt;
    return Id(v);
  }

 private:
  std::int64_t v_ = 0;
};

using OrgId = Id<struct OrgTag>;
using UserId = Id<struct UserTag>;
using TokenId = Id<struct TokenTag>;
using AuditId = Id<struct AuditTag>;

}  // namespace khien

template <class Tag>
struct std::hash<khien::Id<Tag>> {
  std::size_t operator()(khien::Id<Tag> id) const noexcept { return std::hash<std::int64_t>{}(id.value()); }
};
