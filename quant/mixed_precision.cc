// Eq. 12 as a multiple-choice knapsack (mixed_precision.h).
#include "quant/mixed_precision.h"

#include <cmath>
#include <cstdint>
#include <numeric>

namespace strata {
namespace quant {
namespace {

Status Validate(const std::vector<MixedLayer>& layers, const std::vector<int>& bits) {
  if (layers.empty()) return InvalidArgumentError("mixed precision: no layers");
  if (bits.empty()) return InvalidArgumentError("mixed precision: bits: no candidate widths");
  for (size_t k = 0; k < bits.size(); ++k) {
    if (bits[k] < 1 || bits[k] > 16 || (k > 0 && bits[k] <= bits[k - 1])) {
      return InvalidArgumentError("mixed precision: bits[" + std::to_string(k) +
                                  "]: " + std::to_string(bits[k]) +
                                  " (widths must increase strictly, within [1, 16])");
    }
  }
  for (size_t m = 0; m < layers.size(); ++m) {
    const MixedLayer& l = layers[m];
    const std::string f = "mixed precision: layers[" + std::to_string(m) + "] ('" + l.name + "')";
    if (l.size <= 0 || l.size > (int64_t{1} << 40)) {
      return InvalidArgumentError(f + ".size: " + std::to_string(l.size) + " must be in [1, 2^40]");
    }
    if (l.error.size() != bits.size()) {
      return InvalidArgumentError(f + ".error: " + std::to_string(l.error.size()) +
                                  " entries for " + std::to_string(bits.size()) + " widths");
    }
    for (size_t k = 0; k < l.error.size(); ++k) {
      if (!(std::isfinite(l.error[k]) && l.error[k] >= 0)) {
        return InvalidArgumentError(f + ".error[" + std::to_string(k) + "]: " +
                                    std::to_string(l.error[k]) + " must be finite and >= 0");
      }
    }
  }
  return Status::Ok();
}

// Σ_m N_m · b0, or InvalidArgument when the budget is below it.
StatusOr<int64_t> MinimumCost(const std::vector<MixedLayer>& layers, const std::vector<int>& bits,
                              int64_t budget_bits) {
  int64_t base = 0;
  for (const MixedLayer& l : layers) base += l.size * bits.front();
  if (budget_bits < base) {
    return InvalidArgumentError("mixed precision: budget " + std::to_string(budget_bits) +
                                " bits is infeasible: every layer at " +
                                std::to_string(bits.front()) + " bits needs " +
                                std::to_string(base) + " bits");
  }
  return base;
}

MixedAllocation Finish(const std::vector<MixedLayer>& layers, const std::vector<int>& bits,
                       const std::vector<int>& choice) {
  MixedAllocation a;
  for (size_t m = 0; m < layers.size(); ++m) {
    a.bits.push_back(bits[choice[m]]);
    a.error += layers[m].error[choice[m]];
    a.total_bits += layers[m].size * bits[choice[m]];
  }
  return a;
}

}  // namespace

StatusOr<MixedAllocation> SolveMixedPrecision(const std::vector<MixedLayer>& layers,
                                              const std::vector<int>& bits, int64_t budget_bits) {
  STRATA_RETURN_IF_ERROR(Validate(layers, bits));
  STRATA_ASSIGN_OR_RETURN(int64_t base, MinimumCost(layers, bits, budget_bits));
  int64_t g = 0;
  for (const MixedLayer& l : layers) g = std::gcd(g, l.size);
  // Costs beyond the all-b0 allocation, in units of g.
  const size_t m_count = layers.size(), k_count = bits.size();
  std::vector<std::vector<int64_t>> units(m_count, std::vector<int64_t>(k_count));
  int64_t all_top = 0;
  for (size_t m = 0; m < m_count; ++m) {
    for (size_t k = 0; k < k_count; ++k) units[m][k] = layers[m].size / g * (bits[k] - bits[0]);
    all_top += units[m][k_count - 1];
  }
  const int64_t capacity = std::min((budget_bits - base) / g, all_top);
  if (static_cast<double>(m_count) * static_cast<double>(capacity + 1) >
      static_cast<double>(kMaxMixedCells)) {
    return InvalidArgumentError("mixed precision: " + std::to_string(m_count) + " layers x " +
                                std::to_string(capacity + 1) + " budget units (of " +
                                std::to_string(g) + " bits) exceed the DP table limit of " +
                                std::to_string(kMaxMixedCells) + " cells");
  }
  // best[c]: the least error of the layers so far with extra cost <= c (Eq. 12).
  std::vector<double> best(capacity + 1, 0.0), next(capacity + 1);
  std::vector<std::vector<uint8_t>> choice(m_count, std::vector<uint8_t>(capacity + 1, 0));
  for (size_t m = 0; m < m_count; ++m) {
    for (int64_t c = 0; c <= capacity; ++c) {
      double v = INFINITY;
      for (size_t k = 0; k < k_count && units[m][k] <= c; ++k) {
        const double e = best[c - units[m][k]] + layers[m].error[k];
        if (e < v) v = e, choice[m][c] = static_cast<uint8_t>(k);
      }
      next[c] = v;
    }
    best.swap(next);
  }
  std::vector<int> pick(m_count);
  int64_t c = capacity;
  for (size_t m = m_count; m-- > 0;) {
    pick[m] = choice[m][c];
    c -= units[m][pick[m]];
  }
  return Finish(layers, bits, pick);
}

StatusOr<MixedAllocation> SolveMixedPrecisionBruteForce(const std::vector<MixedLayer>& layers,
                                                        const std::vector<int>& bits,
                                                        int64_t budget_bits) {
  STRATA_RETURN_IF_ERROR(Validate(layers, bits));
  STRATA_RETURN_IF_ERROR(MinimumCost(layers, bits, budget_bits).status());
  CHECK_LE(layers.size(), 12u) << "brute force over " << layers.size() << " layers";
  std::vector<int> idx(layers.size(), 0), best_idx;
  double best = INFINITY;
  for (;;) {
    const MixedAllocation a = Finish(layers, bits, idx);
    if (a.total_bits <= budget_bits && a.error < best) best = a.error, best_idx = idx;
    size_t m = layers.size();  // odometer, last layer fastest
    while (m > 0 && ++idx[m - 1] == static_cast<int>(bits.size())) idx[--m] = 0;
    if (m == 0) break;
  }
  return Finish(layers, bits, best_idx);
}

double DownsamplingError(const std::vector<int32_t>& codes_n, float s_w, int source_bits, int bits,
                         bool compensation) {
  CHECK(bits >= 1 && bits <= source_bits && source_bits <= 16)
      << "DownsamplingError: bits " << bits << ", source bits " << source_bits;
  const int k = source_bits - bits;
  // z_b (Eq. 6) in units of s_b; floor division by 2^k is an arithmetic shift (Eq. 5).
  const double z = compensation ? 0.5 * (1.0 - std::ldexp(1.0, bits - source_bits)) : 0.0;
  const double scale = std::ldexp(1.0, k);
  double sum = 0;
  for (int32_t q : codes_n) {
    const double d = scale * ((q >> k) + z) - q;  // in units of s_w
    sum += d * d;
  }
  return sum * static_cast<double>(s_w) * static_cast<double>(s_w);
}

}  // namespace quant
}  // namespace strata
