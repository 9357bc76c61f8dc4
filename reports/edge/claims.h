// The accurate-edge-computing paper's claims (seed 004; TABLES.md "edge_*") as pure
// functions. Accuracies are test top-1 in percent; NaN (a diverged run) fails every
// comparison.
#ifndef STRATA_REPORTS_EDGE_CLAIMS_H_
#define STRATA_REPORTS_EDGE_CLAIMS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/claims.h"

namespace strata {
namespace reports {
namespace edge {

// edge_table5: INQ top-1 per width (bits -> top-1; absent widths are NaN), the float model's
// and the compute-matched control's.
struct InqSweep {
  std::map<int, double> inq;
  double fp = 0, fp_continued = 0;
  double Medium() const;  // the best of 5..8 bits
};
extern const ClaimSpec kMediumBitsMatchFloat, kMediumBitsBeatExtraTraining, kLowBitsHurt;
Verdict MediumBitsMatchFloat(const InqSweep& s);
Verdict MediumBitsBeatExtraTraining(const InqSweep& s);  // against fp_continued
Verdict LowBitsHurt(const InqSweep& s);
// 32 / (a b-bit INQ code's bits) over the weights for b = 5..9: the paper's 3.5x-6.4x.
extern const ClaimSpec kMemoryReduction;
Verdict MemoryReduction(const std::map<int, int>& code_bits);

// edge_table5's same_params_as: given each INQ width's final-parameter digests (one per seed,
// in seed order), the narrowest width below `bits` whose digests all equal `bits`'s (the
// runs are one model: the wider codebook's extra exponents went unused), or nullopt.
std::optional<int> SameParamsAs(const std::map<int, std::vector<std::string>>& digests, int bits);

// edge_table6: top-1 of the first m members' mean softmax, m = 1.., per configuration.
struct EnsembleCurve {
  std::string label;  // "float", "8 bits"
  std::vector<double> top1;
};
extern const ClaimSpec kEnsemblesBeatOne;
Verdict EnsemblesBeatOne(const std::vector<EnsembleCurve>& curves);
extern const ClaimSpec kBestAtMediumCount;
Verdict BestAtMediumCount(const std::vector<EnsembleCurve>& curves);

// edge_table7: float, 4- and 8-bit INQ top-1 per model; `in_paper`: one of the paper's small
// VGGs (the claim is about those), else shown for contrast.
struct SmallModel {
  std::string model;
  bool in_paper = false;
  double fp = 0, inq4 = 0, inq8 = 0;
};
extern const ClaimSpec kNoGainOnSmallModels;
Verdict NoGainOnSmallModels(const std::vector<SmallModel>& models);

}  // namespace edge
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_EDGE_CLAIMS_H_
