// The one assertion the fuzz targets share: an invariant that fails aborts with a message, which
// libFuzzer reports as a crash and saves the input for. Plain assert() would vanish under NDEBUG
// (RelWithDebInfo), and the targets check invariants, not only "does not crash".
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace epc::fuzz {

inline void check(bool condition, std::string_view what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace epc::fuzz
