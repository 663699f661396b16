// @chapter 14
// Chapter 14's programs: production. Each is run as a child process, as the
// earlier chapters' are.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"
