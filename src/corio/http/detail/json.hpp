// @chapter 13
// A string as a JSON string literal: quoted, with '"', '\' and control
// characters escaped. What the test server's JSON answers and chapter 14's
// Chrome trace both write; the bytes above 0x7f pass through as they are
// (UTF-8 stays UTF-8).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace corio::http::detail {

inline std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace corio::http::detail
