// A table's claims as pure functions: numbers in, a Verdict out (whether the claim holds,
// and evidence naming the numbers and the rule that decided it). A table declares the
// ClaimSpecs it reports (TableDef::claims); every declared claim has a unit test that makes
// it hold and makes it fail with hand-made numbers (//reports:claims_test).
//
//   extern const ClaimSpec kAscendingBelowLsq;  // {"vl_table1.ascending_below_lsq", "..."}
//   Verdict AscendingBelowLsq(const PerWidth& lsq, const PerWidth& ascending);
//   AddClaim(report, kAscendingBelowLsq, AscendingBelowLsq(lsq, asc), ctx.preset_config);
#ifndef STRATA_REPORTS_CLAIMS_H_
#define STRATA_REPORTS_CLAIMS_H_

#include <optional>
#include <string>
#include <vector>

#include "reports/preset.pb.h"
#include "reports/report.pb.h"

namespace strata {
namespace reports {

struct ClaimSpec {
  std::string id;    // "<target>.<name>": stable, outside checks read it
  std::string text;  // the claim as TABLES.md states it, with strata's decision rule
  // Decided by what every preset computes alike (a file format, a storage formula,
  // simulator counts, measured speed): not nulled at a preset that decides no claims.
  bool always_decided = false;
};

struct Verdict {
  std::optional<bool> holds;  // nullopt: these numbers cannot decide it
  std::string evidence;
};

// Adds spec's claim to the report: `holds` as the verdict says, null when the preset does
// not decide claims (Preset::decides_claims) unless spec.always_decided.
void AddClaim(TableReport* report, const ClaimSpec& spec, const Verdict& verdict,
              const Preset& preset);

// printf into a std::string (evidence lines).
std::string StrFormat(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_CLAIMS_H_
