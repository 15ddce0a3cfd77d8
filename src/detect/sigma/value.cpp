#include "detect/sigma/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace khien::detect::sigma {

namespace {

void add_text(Pattern& p, std::string_view text) {
  if (text.empty()) return;
  if (!p.empty() && p.back().kind == Piece::Kind::kText) p.back().text += text;
  else p.push_back({Piece::Kind::kText, std::string(text)});
}

void add_any_run(Pattern& p) {
  if (p.empty() || p.back().kind != Piece::Kind::kAnyRun) p.push_back({Piece::Kind::kAnyRun, {}});
}

// The pattern with `f` applied to each text piece; wildcards kept.
template <class F>
Pattern map_text(const Pattern& in, F f) {
  Pattern out;
  for (const auto& piece : in) {
    if (piece.kind == Piece::Kind::kText) add_text(out, f(piece.text));
    else if (piece.kind == Piece::Kind::kAnyRun) add_any_run(out);
    else out.push_back(piece);
  }
  return out;
}

bool plain_text(const Pattern& p) { return p.size() <= 1 && (p.empty() || p[0].kind == Piece::Kind::kText); }

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Pattern parse_wildcards(std::string_view value) {
  Pattern p;
  std::string text;
  const auto flush = [&] {
    add_text(p, text);
    text.clear();
  };
  for (std::size_t k = 0; k < value.size(); ++k) {
    const char c = value[k];
    if (c == '\\' && k + 1 < value.size() && (value[k + 1] == '*' || value[k + 1] == '?' || value[k + 1] == '\\')) {
      text += value[++k];
    } else if (c == '*') {
      flush();
      add_any_run(p);
    } else if (c == '?') {
      flush();
      p.push_back({Piece::Kind::kAnyOne, {}});
    } else {
      text += c;
    }
  }
  flush();
  return p;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t k = 0;
  for (; k + 2 < bytes.size(); k += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[k])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[k + 1])) << 8 |
                   static_cast<unsigned char>(bytes[k + 2]);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  if (k + 1 == bytes.size()) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[k])) << 16;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += "==";
  } else if (k + 2 == bytes.size()) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[k])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[k + 1])) << 8;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += '=';
  }
  return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
  // Shift the text by i bytes of padding, encode, and keep only the characters that do not
  // depend on the bytes before (start) or after (end) it.
  constexpr std::size_t kStart[] = {0, 2, 3};
  constexpr std::size_t kEndCut[] = {0, 3, 2};  // characters dropped at the end, by (size + i) % 3
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string encoded = base64(std::string(i, ' ') + std::string(bytes));
    const std::size_t cut = kEndCut[(bytes.size() + i) % 3];
    const std::size_t end = encoded.size() - cut;
    out.push_back(end > kStart[i] ? encoded.substr(kStart[i], end - kStart[i]) : std::string());
  }
  return out;
}

std::string utf16(std::string_view utf8, bool big_endian, bool bom) {
  std::string out;
  if (bom) out += "\xFF\xFE";
  const auto unit = [&](std::uint16_t u) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    if (big_endian) out += hi, out += lo;
    else out += lo, out += hi;
  };
  for (std::size_t k = 0; k < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[k]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) len = 4, cp = c & 0x07;
    else if (c >= 0xE0) len = 3, cp = c & 0x0F;
    else if (c >= 0xC0) len = 2, cp = c & 0x1F;
    if (k + len > utf8.size()) len = 1, cp = 0xFFFD;
    for (std::size_t j = 1; j < len; ++j) cp = cp << 6 | (static_cast<unsigned char>(utf8[k + j]) & 0x3F);
    k += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(static_cast<std::uint16_t>(0xD800 | (cp >> 10)));
      unit(static_cast<std::uint16_t>(0xDC00 | (cp & 0x3FF)));
    } else {
      unit(static_cast<std::uint16_t>(cp));
    }
  }
  return out;
}

namespace {
// Where windash replaces a character: a '-' or '/' after a non-word character (or at the
// start) and before a word character.
bool windash_at(std::string_view text, std::size_t k) {
  const char c = text[k];
  const bool before = k == 0 || !word_char(static_cast<unsigned char>(text[k - 1]));
  const bool after = k + 1 < text.size() && word_char(static_cast<unsigned char>(text[k + 1]));
  return (c == '-' || c == '/') && before && after;
}

std::size_t windash_switches(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t k = 0; k < text.size(); ++k) n += windash_at(text, k) ? 1 : 0;
  return n;
}

// Each switch multiplies the variants by five; SigmaHQ's rules use one or two.
constexpr std::size_t kMaxWindashSwitches = 4;
}  // namespace

std::vector<std::string> windash_variants(std::string_view text) {
  static constexpr std::string_view kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<std::string> out{""};
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (windash_at(text, k)) {
      std::vector<std::string> next;
      next.reserve(out.size() * std::size(kDashes));
      for (const auto& prefix : out)
        for (auto d : kDashes) next.push_back(prefix + std::string(d));
      out = std::move(next);
    } else {
      for (auto& prefix : out) prefix += c;
    }
  }
  return out;
}

Result<std::vector<Pattern>> string_patterns(const FieldTest& test, const Value& value) {
  if (value.kind == Value::Kind::kNull) return Error("invalid_rule", "null is not a string");
  std::vector<Pattern> current{value.kind == Value::Kind::kString ? parse_wildcards(value.text) : Pattern{{Piece::Kind::kText, value.text}}};
  bool placed = false;
  for (const Modifier m : test.modifiers) {
    std::vector<Pattern> next;
    switch (m) {
      case Modifier::kWide:
      case Modifier::kUtf16le:
      case Modifier::kUtf16be:
      case Modifier::kUtf16:
        for (const auto& p : current)
          next.push_back(map_text(p, [&](const std::string& t) {
            return utf16(t, m == Modifier::kUtf16be, m == Modifier::kUtf16);
          }));
        break;
      case Modifier::kBase64:
      case Modifier::kBase64offset:
        for (const auto& p : current) {
          if (!plain_text(p))
            return Error("invalid_rule", fmt::format("'{}': {} of a value holding wildcards is not defined", test.field,
                                                     modifier_name(m)));
          const std::string bytes = p.empty() ? std::string() : p[0].text;
          if (m == Modifier::kBase64) next.push_back(Pattern{{Piece::Kind::kText, base64(bytes)}});
          else
            for (const auto& v : base64_offsets(bytes)) next.push_back(Pattern{{Piece::Kind::kText, v}});
        }
        break;
      case Modifier::kWindash:
        for (const auto& p : current) {
          std::size_t switches = 0;
          for (const auto& piece : p)
            if (piece.kind == Piece::Kind::kText) switches += windash_switches(piece.text);
          if (switches > kMaxWindashSwitches)
            return Error("invalid_rule", fmt::format("'{}': windash over {} switches ({} variants); at most {} are expanded",
                                                     test.field, switches, "5^" + std::to_string(switches), kMaxWindashSwitches));
          std::vector<Pattern> variants{Pattern{}};
          for (const auto& piece : p) {
            std::vector<Pattern> grown;
            if (piece.kind != Piece::Kind::kText) {
              for (auto v : variants) {
                if (piece.kind == Piece::Kind::kAnyRun) add_any_run(v);
                else v.push_back(piece);
                grown.push_back(std::move(v));
              }
            } else {
              for (const auto& text : windash_variants(piece.text))
                for (auto v : variants) {
                  add_text(v, text);
                  grown.push_back(std::move(v));
                }
            }
            variants = std::move(grown);
          }
          for (auto& v : variants) next.push_back(std::move(v));
        }
        break;
      case Modifier::kContains:
      case Modifier::kStartswith:
      case Modifier::kEndswith:
        if (placed) return Error("invalid_rule", fmt::format("'{}': contains, startswith and endswith exclude each other", test.field));
        placed = true;
        for (const auto& p : current) {
          Pattern q;
          if (m != Modifier::kStartswith) add_any_run(q);
          for (const auto& piece : p) {
            if (piece.kind == Piece::Kind::kText) add_text(q, piece.text);
            else if (piece.kind == Piece::Kind::kAnyRun) add_any_run(q);
            else q.push_back(piece);
          }
          if (m != Modifier::kEndswith) add_any_run(q);
          next.push_back(std::move(q));
        }
        break;
      case Modifier::kAll:
      case Modifier::kCased:
      case Modifier::kNeq:  // the engine negates
      case Modifier::kExpand:  // placeholders are replaced before this
        continue;
      default:
        return Error("invalid_rule", fmt::format("'{}': {} does not apply to a string pattern", test.field, modifier_name(m)));
    }
    current = std::move(next);
  }
  return current;
}

bool pattern_matches(const Pattern& pattern, std::string_view subject, bool cased) {
  // Backtracking over the last `*`: linear in practice for Sigma's patterns.
  const auto eq = [&](char a, char b) { return cased ? a == b : fold(a) == fold(b); };
  std::size_t pi = 0, off = 0, s = 0;
  std::size_t star_piece = std::string::npos, star_s = 0;
  while (true) {
    if (pi == pattern.size()) {
      if (s == subject.size()) return true;
    } else {
      const Piece& piece = pattern[pi];
      if (piece.kind == Piece::Kind::kAnyRun) {
        star_piece = pi++;
        star_s = s;
        off = 0;
        continue;
      }
      if (piece.kind == Piece::Kind::kAnyOne && s < subject.size()) {
        ++pi, ++s;
        continue;
      }
      if (piece.kind == Piece::Kind::kText && s < subject.size() && eq(piece.text[off], subject[s])) {
        ++s;
        if (++off == piece.text.size()) ++pi, off = 0;
        continue;
      }
    }
    if (star_piece == std::string::npos || star_s >= subject.size()) return false;
    pi = star_piece + 1;
    off = 0;
    s = ++star_s;
  }
}

}  // namespace khien::detect::sigma
