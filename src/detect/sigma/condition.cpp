#include "detect/sigma/condition.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace khien::detect::sigma {

bool identifier_matches(std::string_view pattern, std::string_view name) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& searches, std::string_view what)
      : searches_(searches), what_(what) {
    std::size_t k = 0;
    while (k < text.size()) {
      const char c = text[k];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++k;
      } else if (c == '(' || c == ')' || c == '|') {
        tokens_.emplace_back(1, c);
        ++k;
      } else {
        std::size_t end = k;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '(' &&
               text[end] != ')' && text[end] != '|')
          ++end;
        tokens_.emplace_back(text.substr(k, end - k));
        k = end;
      }
    }
  }

  Result<Condition> parse() {
    if (tokens_.empty()) return fail("the condition is empty");
    auto c = parse_or();
    if (!error_.empty()) return fail(error_);
    if (pos_ < tokens_.size()) {
      if (tokens_[pos_] == "|")
        return fail("aggregations after '|' (count, near) are Sigma 1; Sigma 2 expresses them as correlation rules");
      return fail(fmt::format("unexpected '{}' at token {}", tokens_[pos_], pos_ + 1));
    }
    return c;
  }

 private:
  Error fail(const std::string& why) const { return Error("invalid_condition", why); }

  bool at(std::string_view keyword) const { return pos_ < tokens_.size() && lower(tokens_[pos_]) == keyword; }

  Condition combine(Condition::Op op, std::vector<Condition> args) {
    if (args.size() == 1) return std::move(args.front());
    Condition c;
    c.op = op;
    c.args = std::move(args);
    return c;
  }

  Condition parse_or() {
    std::vector<Condition> args{parse_and()};
    while (error_.empty() && at("or")) {
      ++pos_;
      args.push_back(parse_and());
    }
    return combine(Condition::Op::kOr, std::move(args));
  }

  Condition parse_and() {
    std::vector<Condition> args{parse_not()};
    while (error_.empty() && at("and")) {
      ++pos_;
      args.push_back(parse_not());
    }
    return combine(Condition::Op::kAnd, std::move(args));
  }

  Condition parse_not() {
    if (at("not")) {
      ++pos_;
      Condition c;
      c.op = Condition::Op::kNot;
      c.args.push_back(parse_not());
      return c;
    }
    return parse_primary();
  }

  Condition parse_primary() {
    if (!error_.empty()) return {};
    if (pos_ >= tokens_.size()) {
      error_ = "the condition ends where a search, 'not', '(' or 'x of' was expected";
      return {};
    }
    const std::string& t = tokens_[pos_];
    if (t == "(") {
      ++pos_;
      Condition c = parse_or();
      if (error_.empty() && (pos_ >= tokens_.size() || tokens_[pos_] != ")")) error_ = "a '(' is not closed";
      ++pos_;
      return c;
    }
    if (t == ")" || t == "|" || at("and") || at("or")) {
      error_ = fmt::format("unexpected '{}' at token {}", t, pos_ + 1);
      return {};
    }
    if (pos_ + 1 < tokens_.size() && lower(tokens_[pos_ + 1]) == "of") return parse_of();
    ++pos_;
    if (std::find(searches_.begin(), searches_.end(), t) == searches_.end()) {
      error_ = fmt::format("the condition names '{}', which is not a {}", t, what_);
      return {};
    }
    Condition c;
    c.search = t;
    return c;
  }

  // `1 of pattern`, `all of pattern`, `1 of them`, `all of them`.
  Condition parse_of() {
    const std::string quantifier = lower(tokens_[pos_]);
    pos_ += 2;
    if (quantifier != "1" && quantifier != "all" && quantifier != "any") {
      error_ = fmt::format("'{} of' is not a Sigma quantifier (1 of, all of)", tokens_[pos_ - 2]);
      return {};
    }
    if (pos_ >= tokens_.size() || tokens_[pos_] == "(" || tokens_[pos_] == ")" || tokens_[pos_] == "|") {
      error_ = fmt::format("'{} of' needs a search pattern or 'them'", quantifier);
      return {};
    }
    const std::string pattern = tokens_[pos_++];
    std::vector<Condition> args;
    for (const auto& s : searches_) {
      const bool match = pattern == "them" ? !s.starts_with('_') : identifier_matches(pattern, s);
      if (!match) continue;
      Condition c;
      c.search = s;
      args.push_back(std::move(c));
    }
    if (args.empty()) {
      error_ = fmt::format("'{} of {}' matches no {}", quantifier, pattern, what_);
      return {};
    }
    return combine(quantifier == "all" ? Condition::Op::kAnd : Condition::Op::kOr, std::move(args));
  }

  const std::vector<std::string>& searches_;
  std::string_view what_;
  std::vector<std::string> tokens_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<Condition> parse_condition(std::string_view text, const std::vector<std::string>& searches, std::string_view what) {
  return Parser(text, searches, what).parse();
}

Result<Aggregation> parse_aggregation(std::string_view text) {
  // function '(' [field] ')' ['by' group] op number
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::vector<std::string> t;
  for (std::size_t k = 0; k < text.size();) {
    const char c = text[k];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++k;
    } else if (c == '(' || c == ')') {
      t.emplace_back(1, c);
      ++k;
    } else if (c == '<' || c == '>' || c == '=') {
      std::size_t end = k;
      while (end < text.size() && (text[end] == '<' || text[end] == '>' || text[end] == '=')) ++end;
      t.emplace_back(text.substr(k, end - k));
      k = end;
    } else {
      std::size_t end = k;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '(' &&
             text[end] != ')' && text[end] != '<' && text[end] != '>' && text[end] != '=')
        ++end;
      t.emplace_back(text.substr(k, end - k));
      k = end;
    }
  }
  const auto fail = [&](const std::string& why) { return Error("invalid_condition", fmt::format("aggregation '{}': {}", text, why)); };
  Aggregation a;
  std::size_t k = 0;
  if (t.empty()) return fail("empty");
  a.function = lower(t[k++]);
  if (a.function == "near") return fail("'near' is not supported; write a temporal correlation rule");
  if (a.function != "count" && a.function != "min" && a.function != "max" && a.function != "avg" && a.function != "sum")
    return fail("expected count, min, max, avg or sum");
  if (k >= t.size() || t[k++] != "(") return fail("expected '(' after the function");
  if (k < t.size() && t[k] != ")") a.field = t[k++];
  if (k >= t.size() || t[k++] != ")") return fail("expected ')'");
  if (a.function != "count" && a.field.empty()) return fail(a.function + "() needs a field");
  if (k < t.size() && lower(t[k]) == "by") {
    ++k;
    if (k >= t.size()) return fail("expected a field after 'by'");
    a.group_by = t[k++];
  }
  if (k >= t.size()) return fail("expected a comparison (>, >=, <, <=, ==)");
  a.op = t[k++];
  if (a.op != ">" && a.op != ">=" && a.op != "<" && a.op != "<=" && a.op != "==" && a.op != "=")
    return fail(fmt::format("'{}' is not a comparison", a.op));
  if (a.op == "=") a.op = "==";
  if (k >= t.size()) return fail("expected a number");
  const std::string& n = t[k++];
  auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), a.threshold);
  if (ec != std::errc() || ptr != n.data() + n.size()) return fail(fmt::format("'{}' is not a number", n));
  if (k != t.size()) return fail(fmt::format("unexpected '{}'", t[k]));
  return a;
}

}  // namespace khien::detect::sigma
