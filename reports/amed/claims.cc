// AMED's claims (claims.h).
#include "reports/amed/claims.h"

#include <sstream>

namespace strata {
namespace reports {
namespace amed {

const ClaimSpec kPresetsEqualPaper = {"amed_table1.presets_equal_paper",
                                      "hwsim's presets are the paper's Table 1 configurations",
                                      true};

Verdict PresetsEqualPaper(int equal, int total, const std::string& mismatches) {
  return {equal == total, std::to_string(equal) + "/" + std::to_string(total) + " fields equal" +
                              (mismatches.empty() ? "" : ";" + mismatches)};
}

const ClaimSpec kMatchesScaleSim = {"amed_table6.matches_scalesim",
                                    "matches SCALE-Sim v2's numbers for the same layer shapes",
                                    true};

Verdict MatchesScaleSim(int same_cycles, int paper_rows, int layers_simulated) {
  std::ostringstream evidence;
  evidence << same_cycles << " of " << paper_rows << " paper rows have hwsim's total cycles ("
           << layers_simulated << " layers simulated). The paper does not state the network or "
           << "config, so agreement cannot be decided here; hwsim's agreement with SCALE-Sim "
           << "v2 is checked in strata_hwsim_validation.";
  Verdict v;
  if (same_cycles == paper_rows && paper_rows > 0) v.holds = true;
  v.evidence = evidence.str();
  return v;
}

}  // namespace amed
}  // namespace reports
}  // namespace strata
