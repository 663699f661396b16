// @chapter 13
// Character classes of RFC 9110/9112 as one table lookup each, and the
// case-insensitive comparison of field names: what the parser and the
// messages share.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace corio::http::detail {

enum CharClass : unsigned char {
  kToken = 1,       // tchar: a method, a field name, a transfer coding
  kFieldValue = 2,  // VCHAR, obs-text, SP, HTAB: what a field value, a reason or a target may hold
  kHex = 4,
};

constexpr std::array<unsigned char, 256> make_char_classes() {
  std::array<unsigned char, 256> table{};
  for (int c = 0; c < 256; ++c) {
    unsigned char bits = 0;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || digit || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      bits |= kToken;
    }
    if ((c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t') bits |= kFieldValue;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= kHex;
    table[static_cast<std::size_t>(c)] = bits;
  }
  return table;
}

inline constexpr std::array<unsigned char, 256> kCharClasses = make_char_classes();

inline bool is(char c, CharClass cls) { return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0; }

inline bool all_of(std::string_view s, CharClass cls) {
  for (char c : s) {
    if (!is(c, cls)) return false;
  }
  return true;
}

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(element) for each non-empty element of a comma-separated list
// (RFC 9110 section 5.6.1), each without its surrounding whitespace.
template <typename F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Whether a Connection field lists that option (case-insensitive).
inline bool has_token(std::string_view list, std::string_view token) {
  bool found = false;
  for_each_element(list, [&](std::string_view element) { found = found || iequals(element, token); });
  return found;
}

}  // namespace corio::http::detail
