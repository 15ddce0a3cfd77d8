#pragma once
// What a Sigma string value matches, after its modifiers (Sigma 2.1, "Value modifiers"):
// wildcards and their escapes, the encodings (wide/utf16*, base64, base64offset), windash and
// the placement (contains, startswith, endswith). The compiler turns the patterns into
// Vectorscan expressions; nothing here depends on how they are matched.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/sigma/rule.h"

namespace khien::detect::sigma {

// A pattern over the bytes of a whole field value: text, `*` (any run) and `?` (one character).
struct Piece {
  enum class Kind : std::uint8_t { kText, kAnyRun, kAnyOne };
  Kind kind = Kind::kText;
  std::string text;  // kText
  bool operator==(const Piece&) const = default;
};
using Pattern = std::vector<Piece>;

// A Sigma string with its wildcards: `*` and `?` are wildcards, `\*`, `\?` and `\\` their
// literal characters; any other backslash is itself. So `C:\Windows\\*` is a folder then a
// wildcard, and `C:\Windows\*` ends with a literal star.
Pattern parse_wildcards(std::string_view value);

// The patterns (any of which matches) a string value stands for under the field test's
// modifiers, applied left to right. Fails (code "invalid_rule") for combinations the
// specification does not define, e.g. base64 of a value holding wildcards, and for windash
// over more than four switches (each multiplies the patterns by five).
Result<std::vector<Pattern>> string_patterns(const FieldTest& test, const Value& value);

// Helpers, public for their tests.
std::string base64(std::string_view bytes);
// The three encodings of `bytes` at offsets 0, 1, 2 inside longer base64 text, without the
// characters that depend on the unknown neighbours (as pySigma and SigmaHQ compute them).
std::vector<std::string> base64_offsets(std::string_view bytes);
// UTF-8 text as UTF-16 bytes: little or big endian; `bom` prefixes FF FE (little endian).
std::string utf16(std::string_view utf8, bool big_endian, bool bom);
// Each '-' or '/' that starts a word after a non-word character, replaced by each of
// - / – — ― (en dash, em dash, horizontal bar): every combination.
std::vector<std::string> windash_variants(std::string_view text);

// Whether `pattern` matches all of `subject` (ASCII case folded unless `cased`). For tests and
// the reference evaluator's checks, not the hot path.
bool pattern_matches(const Pattern& pattern, std::string_view subject, bool cased);

}  // namespace khien::detect::sigma
