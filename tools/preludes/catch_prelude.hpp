// A prelude: what a test file reads before its own text, compiled once per
// build directory (the Makefile's precompiled headers, decision 186). Only
// files that include Catch2's header themselves take it.
#include <catch2/catch.hpp>
