// @chapter 13
// Chapter 13's HTTP layer, in one include.
#pragma once

#include <corio/http/client.hpp>
#include <corio/http/message.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/server.hpp>
