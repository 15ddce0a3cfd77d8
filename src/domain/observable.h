#pragma once
// Observables of an incident (plan §2.2): the addresses, names, hashes and accounts seen,
// validated and written one canonical way so the same thing seen twice compares equal —
// defanged input (hxxp://a[.]b) is refanged, internationalised domain names become their
// ASCII (punycode) form, hashes lower case, IP networks reduced to their network address.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace khien::domain {

enum class ObservableKind {
  kIp, kCidr, kDomain, kUrl, kEmail, kMd5, kSha1, kSha256, kAccount, kFileName, kProcess, kRegistryKey,
};
inline constexpr std::array kAllObservableKinds = {
    ObservableKind::kIp,     ObservableKind::kCidr,    ObservableKind::kDomain,   ObservableKind::kUrl,
    ObservableKind::kEmail,  ObservableKind::kMd5,     ObservableKind::kSha1,     ObservableKind::kSha256,
    ObservableKind::kAccount, ObservableKind::kFileName, ObservableKind::kProcess, ObservableKind::kRegistryKey};

std::string_view observable_kind_name(ObservableKind k);  // "ip", "cidr", "domain", "url", "email", "md5", ...
std::optional<ObservableKind> parse_observable_kind(std::string_view name);

// Undoes the usual defanging: hxxp(s) → http(s), [.] (.) {.} [dot] → ., [:] → :, [@] [at] → @.
std::string refang(std::string_view text);

// The canonical form of `value` as a `kind`, or validation_failed on field "value" with code
// invalid_value and the reason in the detail.
Result<std::string> normalize_observable(ObservableKind kind, std::string_view value);

}  // namespace khien::domain
