// @chapter 13
// The server's close while a client reads a response, for both clients
// (the pooled one and blocking_get): it ends a body read to the close, or
// cuts the response short.
#pragma once

#include <optional>
#include <string>

#include <corio/errors.hpp>
#include <corio/http/parser.hpp>

namespace corio::http::detail {

// Tells the parser the input ended. nullopt: that completed the response.
// Otherwise the response was cut short; the string is the parser's reason
// (": ..."), or "" when it gave none, for the caller's RemoteProtocolError.
inline std::optional<std::string> cut_short_at_eof(Parser& parser) {
  try {
    if (parser.feed_eof()) return std::nullopt;
    return std::string();
  } catch (const HttpParseError& e) {
    return std::string(": ") + e.what();
  }
}

}  // namespace corio::http::detail
