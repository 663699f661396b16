// A prelude (catch_prelude.hpp) for the test files that include both
// Catch2's header and <corio/corio.hpp>.
#include <catch2/catch.hpp>

#include <corio/corio.hpp>
