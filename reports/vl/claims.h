// The vertical-layering paper's claims (seed 001; TABLES.md "vl_*") as pure functions: the
// numbers a table measured in, a Verdict with the rule's evidence out. Accuracies are test
// top-1 in percent at W/A 2/2, 3/3, 4/4 (PerWidth, catalog::kPaperWidths order); a NaN
// (a diverged run) fails every comparison. Each rule's thresholds are strata's decisions
// where the paper says "clearly", "far below" or "near" (stated in the claim's text).
#ifndef STRATA_REPORTS_VL_CLAIMS_H_
#define STRATA_REPORTS_VL_CLAIMS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "reports/claims.h"

namespace strata {
namespace reports {
namespace vl {

using PerWidth = std::array<double, 3>;
// Two schemes on one network, e.g. once-QAT (a) against per-bit LSQ (b).
struct Versus {
  std::string network;  // the paper's row label, "ResNet-18"
  PerWidth a, b;
};

extern const ClaimSpec kAscendingBelowLsq;  // vl_table1
Verdict AscendingBelowLsq(const PerWidth& lsq, const PerWidth& ascending);
extern const ClaimSpec kCotrainDiverges;
Verdict CotrainDiverges(bool diverged, const PerWidth& cotrain, const PerWidth& lsq);

extern const ClaimSpec kTable2OnceQatNearLsq;  // vl_table2
Verdict OnceQatNearLsq(const PerWidth& once, const PerWidth& lsq);
// A once-QAT run exported to the model file: the bytes of each prefix (2, 3, 4 bits) or
// why the export failed.
struct ExportFacts {
  bool ok = false;
  std::string error;
  std::vector<int64_t> prefix_bytes;
};
extern const ClaimSpec kOnlyOnceQatVertical;
Verdict OnlyOnceQatVertical(const ExportFacts& file);

extern const ClaimSpec kTable3OnceQatNearLsq;  // vl_table3: a = once-QAT, b = LSQ
Verdict EveryNetworkOnceQatNearLsq(const std::vector<Versus>& nets);
extern const ClaimSpec kSelfKdHelps2Bit;  // a = w. self-KD, b = w/o
Verdict SelfKdHelps2Bit(const std::vector<Versus>& nets);

extern const ClaimSpec kSharedBnCollapses;  // vl_table4: a = shared, b = individual
Verdict SharedBnCollapses(const std::vector<Versus>& nets);
extern const ClaimSpec kIndividualGeStatistics;  // a = individual, b = individual statistics
Verdict IndividualGeStatistics(const std::vector<Versus>& nets);

// vl_table5's schemes, in its row order.
enum Table5Scheme { kAscending, kQatFinetune, kAdabits, kOnceQat, kOnceQatKd, kTable5Schemes };
using Table5Top1 = std::array<PerWidth, kTable5Schemes>;
extern const ClaimSpec kQatFtCollapsesAt2Bit;
Verdict QatFtCollapsesAt2Bit(const Table5Top1& top1);
extern const ClaimSpec kOnceQatNearBest;
Verdict OnceQatNearBest(const Table5Top1& top1);
// Weight storage in bits: AdaBits-style vs a vertical-layered model, on strata's ResNet-50
// and (the same formula) on the paper's ImageNet ResNet-50.
struct StorageBits {
  int64_t adabits = 0, vertical = 0, paper_adabits = 0, paper_vertical = 0;
};
extern const ClaimSpec kAdabitsFpStorage;
Verdict AdabitsFpStorage(const StorageBits& bits);

extern const ClaimSpec kUsGeMgd;  // vl_table6: a = US, b = MGD
Verdict UsGeMgd3And4Bit(const std::vector<Versus>& nets);

// vl_table7, one pair per network: with (a) and without (b) positive compensation.
extern const ClaimSpec kResNet18CompensationRaises2Bit, kResNet18CompensationNoneWorse;
extern const ClaimSpec kMobileNetV2CompensationRaises2Bit, kMobileNetV2CompensationNoneWorse;
Verdict CompensationRaises2Bit(const PerWidth& with, const PerWidth& without);
Verdict CompensationNoneWorse(const PerWidth& with, const PerWidth& without);

extern const ClaimSpec kPerBitEndsLittleGain;  // vl_table8: a = per-bit ends, b = shared
Verdict PerBitEndsLittleGain(const std::vector<Versus>& nets);

extern const ClaimSpec kCosineGeNone2Bit;  // vl_table9: a = cosine, b = none
Verdict CosineGeNone2Bit(const std::vector<Versus>& nets);
extern const ClaimSpec kKlNoBetter;  // a = KL, b = none
Verdict KlNoBetter(const std::vector<Versus>& nets);

// vl_fig5: one layer's dequantized weights at 2 and 3 bits (index 0, 1): shares (%) of
// ŵ <= 0 and ŵ > 0, and the mean error mean(ŵ - w) / std(w).
struct Histogram {
  double le_zero = 0, pos = 0, bias = 0;
};
struct Fig5Facts {
  Histogram lsq[2], plain[2], once[2];
  double plain_w1[2] = {0, 0}, once_w1[2] = {0, 0};  // Wasserstein-1 to LSQ's histogram
};
extern const ClaimSpec kPlainDownsamplingPiles, kOnceQatResemblesLsq;
Verdict PlainDownsamplingPiles(const Fig5Facts& f);
Verdict OnceQatResemblesLsq(const Fig5Facts& f);

// vl_fig7: MGD's alpha per width (2, 3, 4 bits), epoch means averaged over training, and
// its within-epoch standard deviation likewise; the late layers' 2-bit activation error.
extern const ClaimSpec kMgdAlphaUnstable, kMgdAlphaWeightedTo2Bit;
Verdict MgdAlphaUnstable(const PerWidth& alpha_std);
Verdict MgdAlphaWeightedTo2Bit(const PerWidth& alpha_mean);
struct LateError {
  double mse_with = 0, mse_without = 0;            // mean MSE of the last two probed layers
  double top1_with = 0, top1_without = 0;          // the probes' re-evaluated 2-bit top-1
  double run_top1_with = 0, run_top1_without = 0;  // the runs' own
};
extern const ClaimSpec kSelfKdLowersLateError;
Verdict SelfKdLowersLateError(const LateError& e);

// vl_fig8: test top-1 of the mixed networks per budget (average bits, in order) and their
// weight sizes; the better uniform 3-bit network and its size; the mixed path at uniform
// widths against the run's own evaluation.
struct MixedPoint {
  double avg_bits = 0, top1 = 0, kbit = 0;
};
extern const ClaimSpec kAccuracyRisesWithBudget;
Verdict AccuracyRisesWithBudget(const std::vector<MixedPoint>& mixed);
extern const ClaimSpec kMixedBeatsUniform3;
Verdict MixedBeatsUniform3(const std::vector<MixedPoint>& mixed, double uniform3_top1,
                           double uniform3_kbit);
struct SelfCheck {
  int bits = 0;
  double path = 0, own = 0;
};
extern const ClaimSpec kMixedPathSelfCheck;
Verdict MixedPathSelfCheck(const std::vector<SelfCheck>& widths);
// Spearman's rank correlation (average ranks for ties).
double Spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace vl
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_VL_CLAIMS_H_
