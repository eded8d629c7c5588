// What a libFuzzer harness does when a property it checks fails: says which, shows the input,
// and aborts (libFuzzer then keeps the input as a crash).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace dialogue::fuzz {

[[noreturn]] inline void Violation(const char* what, std::string_view input) {
  std::fprintf(stderr, "VIOLATION: %s\ninput: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

}  // namespace dialogue::fuzz
