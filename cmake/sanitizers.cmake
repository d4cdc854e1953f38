# Sanitizer and fuzzer builds (issue 8): EPC_SANITIZE instruments everything built here, tests
# included; EPC_BUILD_FUZZERS adds the libFuzzer targets of test/fuzz. dev/test-sanitizers uses both.
#
#   cmake -DCMAKE_CXX_COMPILER=clang++-14 -DEPC_SANITIZE=address,undefined -DEPC_BUILD_FUZZERS=ON ...
#
# The flags go on every target (add_compile_options/add_link_options) rather than on chosen ones:
# a sanitizer only sees the code it instrumented, and a bug in a library under a test is the point.
# Third-party libraries come from Debian and stay uninstrumented.

set(EPC_SANITIZE "" CACHE STRING
  "Comma-separated -fsanitize= list for every target, e.g. address,undefined (empty: none)")
option(EPC_BUILD_FUZZERS "Build the libFuzzer targets in test/fuzz (needs clang)" OFF)
set(EPC_FUZZ_SECONDS 30 CACHE STRING
  "Seconds each fuzzer runs in its bounded CTest fuzz run (test/fuzz)")

if(EPC_SANITIZE)
  add_compile_options(
    # The checks themselves.
    -fsanitize=${EPC_SANITIZE}
    # A report must fail the test: by default UBSan prints and carries on, so CI would stay green.
    -fno-sanitize-recover=all
    # Frame pointers let the sanitizers' fast unwinder give whole stacks in reports.
    -fno-omit-frame-pointer)
  # The sanitizer runtimes are linked by the compiler driver when it links with the same flag.
  add_link_options(-fsanitize=${EPC_SANITIZE})
endif()

if(EPC_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EPC_BUILD_FUZZERS needs clang (libFuzzer), e.g. "
      "-DCMAKE_CXX_COMPILER=clang++-14 with Debian's libclang-rt-14-dev")
  endif()
  if(NOT EPC_SANITIZE)
    message(WARNING "EPC_BUILD_FUZZERS without EPC_SANITIZE: fuzzers only find crashes, "
      "not memory errors or undefined behaviour")
  endif()
  # Coverage feedback for libFuzzer from the project's libraries too, not only from the fuzz target
  # sources: without it the fuzzer cannot see which branches of the decoders an input reached.
  # "-no-link" instruments without pulling libFuzzer's main() into the test binaries.
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
