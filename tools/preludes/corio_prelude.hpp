// A prelude (catch_prelude.hpp) for the chapters' programs that include
// <corio/corio.hpp>.
#include <corio/corio.hpp>
