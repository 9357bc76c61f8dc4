// libFuzzer target: hwsim's SCALE-Sim `.cfg` parser, hwsim::ParseConfigText (hwsim/config.h).
// Build and run with tools/fuzz/run.sh (clang, outside Bazel). Oracles, beyond the sanitizers:
//   - a failed parse has a non-empty message naming the file;
//   - an accepted config passes ValidateConfig;
//   - FormatConfig round-trips it: ParseConfigText(FormatConfig(c)) == c (config.h promises
//     "round-trips every field").
// With STRATA_FUZZ_SKIP_KNOWN=1 in the environment, the finding already reported in
// tools/fuzz/README.md (FormatConfig prints ClockGHz with 6 significant digits) is
// tolerated, so a run can look past it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "hwsim/config.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "hwsim_config_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hwsim;
  const std::string text(reinterpret_cast<const char*>(data), size);
  AcceleratorConfig config;
  Status s = ParseConfigText(text, "fuzz.cfg", &config);
  if (!s.ok()) {
    if (s.message().find("fuzz.cfg") == std::string::npos) Fail("error without file name", s.message());
    return 0;
  }
  Status v = ValidateConfig(config, "");
  if (!v.ok()) Fail("accepted config fails ValidateConfig", v.message());
  const std::string formatted = FormatConfig(config);
  AcceleratorConfig back;
  Status r = ParseConfigText(formatted, "formatted.cfg", &back);
  if (!r.ok()) Fail("FormatConfig output does not parse", r.message() + "\n" + formatted);
  static const bool skip_known = std::getenv("STRATA_FUZZ_SKIP_KNOWN") != nullptr;
  if (skip_known && back.clock_ghz != config.clock_ghz) {
    std::ostringstream six;  // what FormatConfig prints for the clock
    six << config.clock_ghz;
    if (std::strtod(six.str().c_str(), nullptr) == back.clock_ghz) back.clock_ghz = config.clock_ghz;
  }
  if (!(back == config)) {
    // Re-format both to show the difference (FormatConfig prints doubles with 6 digits, so a
    // clock_ghz mismatch also shows in %.17g below).
    char clocks[96];
    std::snprintf(clocks, sizeof(clocks), "clock_ghz %.17g -> %.17g", config.clock_ghz,
                  back.clock_ghz);
    Fail("FormatConfig does not round-trip", std::string(clocks) + "\n" + formatted);
  }
  return 0;
}
