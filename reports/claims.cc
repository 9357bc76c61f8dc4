// Claims as pure functions (claims.h).
#include "reports/claims.h"

#include <cstdarg>
#include <cstdio>

#include "reports/report_table.h"

namespace strata {
namespace reports {

void AddClaim(TableReport* report, const ClaimSpec& spec, const Verdict& verdict,
              const Preset& preset) {
  const bool decided = spec.always_decided || preset.decides_claims();
  AddClaim(report, spec.id, spec.text, decided ? verdict.holds : std::nullopt, verdict.evidence);
}

std::string StrFormat(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(n > 0 ? n : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

}  // namespace reports
}  // namespace strata
