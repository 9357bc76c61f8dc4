// Mixed precision from one vertical-layered model (Wu et al., "Vertical Layering of Quantized
// Neural Networks for Heterogeneous Inference", TPAMI 2023, Sec. 4.4, Eq. 12; ALGORITHMS.md §2):
// per quantized layer m pick a width b_m from the model's widths {b0 .. N} to
//
//   minimize  Σ_m ‖ŵ_{b_m} − ŵ_N‖²   subject to   Σ_m N_m · b_m ≤ B                  (Eq. 12)
//
// (N_m = the layer's number of weights, B = the bit budget of the quantized weights). The
// paper writes the constraint as Σ_m N_m (b_m − N) ≤ B'; it is the same with B = B' + Σ_m N_m N.
//
// Solved exactly as a multiple-choice knapsack: dynamic programming over the budget in units
// of g = gcd of the layers' N_m (every cost N_m · b is a multiple of g, so nothing is rounded).
// Above the all-N cost the budget cannot bind, so the table spans at most
// Σ_m N_m (N − b0) / g units beyond the all-b0 cost; O(M · units · |widths|) time, one byte per
// (layer, unit) for the choices.
//
//   std::vector<MixedLayer> layers;
//   for (...) layers.push_back({name, numel, {DownsamplingError(q4, s_w, 4, 2, true),
//                                             DownsamplingError(q4, s_w, 4, 3, true), 0.0}});
//   STRATA_ASSIGN_OR_RETURN(MixedAllocation a, SolveMixedPrecision(layers, {2, 3, 4}, budget));
//   // a.bits[m]: layer m's width; a.error: the minimum of Eq. 12; a.total_bits <= budget
//
// Each allocation's error is summed in layer order (so the DP and the brute-force reference
// compute bit-identical objectives). Ties (equal total error): per layer the lowest width
// that reaches the minimum is kept; deterministic, but not always the brute force's choice.
#ifndef STRATA_QUANT_MIXED_PRECISION_H_
#define STRATA_QUANT_MIXED_PRECISION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace quant {

struct MixedLayer {
  std::string name;
  int64_t size = 0;           // N_m, > 0
  std::vector<double> error;  // ‖ŵ_b − ŵ_N‖² for each candidate width (same order as `bits`)
};

struct MixedAllocation {
  std::vector<int> bits;   // per layer, one of the candidate widths
  double error = 0;        // Σ_m error of the chosen widths
  int64_t total_bits = 0;  // Σ_m N_m · b_m
};

// Largest DP table (layers × budget units) SolveMixedPrecision accepts.
constexpr int64_t kMaxMixedCells = int64_t{1} << 28;

// Eq. 12 exactly. InvalidArgument naming the field and value for: no layers, widths not
// strictly increasing in [1, 16], a size <= 0, an error list of the wrong length or with a
// negative or non-finite entry; an infeasible budget (below Σ_m N_m · b0, the message gives
// both); a DP table beyond kMaxMixedCells.
StatusOr<MixedAllocation> SolveMixedPrecision(const std::vector<MixedLayer>& layers,
                                              const std::vector<int>& bits, int64_t budget_bits);

// The reference: every allocation tried (|bits|^M of them; CHECKs M <= 12), keeping the
// first minimum in lexicographic order of the width indices. Same validation.
StatusOr<MixedAllocation> SolveMixedPrecisionBruteForce(const std::vector<MixedLayer>& layers,
                                                        const std::vector<int>& bits,
                                                        int64_t budget_bits);

// ‖ŵ_b − ŵ_N‖² of one layer from its N-bit codes q_N (VerticalCodes(w, s_w, N, N)) in double:
// ŵ_b = 2^(N−b) s_w (floor(q_N / 2^(N−b)) + z_b) (Eqs. 3, 5, 6), ŵ_N = s_w q_N.
double DownsamplingError(const std::vector<int32_t>& codes_n, float s_w, int source_bits, int bits,
                         bool compensation);

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_MIXED_PRECISION_H_
