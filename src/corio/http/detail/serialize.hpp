// @chapter 13
// serialize(response, head_only) into a string the caller keeps: the server
// reuses one string's capacity for every answer on a connection, where
// serialize() would allocate a new one per answer (message.cpp).
#pragma once

#include <string>

#include <corio/http/message.hpp>

namespace corio::http::detail {

// Replaces what out held with the bytes serialize(response, head_only) returns.
void serialize_into(std::string& out, const Response& response, bool head_only);

}  // namespace corio::http::detail
