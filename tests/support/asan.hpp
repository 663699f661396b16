// @chapter 05
// CORIO_TEST_ASAN: 1 when the tests are built with AddressSanitizer, else 0.
// GCC says so by defining __SANITIZE_ADDRESS__; clang 14 does not, and
// answers only through __has_feature. One definition, for every test that
// runs differently under the sanitizer.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CORIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORIO_TEST_ASAN 1
#endif
#endif
#ifndef CORIO_TEST_ASAN
#define CORIO_TEST_ASAN 0
#endif
