// AMED's claims (seed 003; TABLES.md "amed_*") as pure functions. Simulator counts are exact
// integers: "equal" means equal.
#ifndef STRATA_REPORTS_AMED_CLAIMS_H_
#define STRATA_REPORTS_AMED_CLAIMS_H_

#include <string>

#include "reports/claims.h"

namespace strata {
namespace reports {
namespace amed {

// amed_table1: hwsim's presets against the paper's Table 1, field by field; `mismatches`
// lists the fields that differ ("" when none).
extern const ClaimSpec kPresetsEqualPaper;
Verdict PresetsEqualPaper(int equal, int total, const std::string& mismatches);

// amed_table6: rows of the paper's per-layer report whose total cycles hwsim reproduces.
// Undecided unless every paper row matches (the paper states neither network nor config).
extern const ClaimSpec kMatchesScaleSim;
Verdict MatchesScaleSim(int same_cycles, int paper_rows, int layers_simulated);

}  // namespace amed
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_AMED_CLAIMS_H_
