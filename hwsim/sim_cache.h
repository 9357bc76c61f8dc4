// Memoized network simulation for searches over bit allocations (AMED §4.5: one precision
// vector per sample, per-layer bits from {2, 3, 4, 8}).
//
// A layer's result depends only on its shape, its bits, the accelerator and the options
// (layers do not share state, HWSIM.md §5.1), so a cache bound to one accelerator and one set
// of options keeps every (shape, bits) result it has computed. A sample that revisits pairs
// seen before — in the same network (DP copies, repeated blocks) or in an earlier sample —
// costs a map lookup and a copy per layer. Results equal SimulateNetwork's field by field
// (sim_cache_test.cc).
//
//   NetworkSimCache cache(config, options);          // keep it across samples
//   std::vector<LayerPrecision> bits(layers.size());  // one entry per layer
//   for (each sample) {
//     ...fill bits...
//     double ms = cache.Simulate(layers, bits).totals.latency_ms;
//   }
//
// Not thread-safe: use one cache per thread. Memory: one LayerResult per distinct pair.
#ifndef STRATA_HWSIM_SIM_CACHE_H_
#define STRATA_HWSIM_SIM_CACHE_H_

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "hwsim/config.h"
#include "hwsim/layer_sim.h"
#include "hwsim/network.h"
#include "hwsim/precision.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

class NetworkSimCache {
 public:
  // `config` must be validated; `options.plan` is ignored (each Simulate call brings one).
  NetworkSimCache(const AcceleratorConfig& config, const SimOptions& options);

  // SimulateNetwork(config, layers, options with plan = `plan`).
  NetworkResult Simulate(const std::vector<Layer>& layers, const PrecisionPlan& plan);
  // The same with bits[i] for layers[i]; `bits` must have one entry per layer.
  NetworkResult Simulate(const std::vector<Layer>& layers, const std::vector<LayerPrecision>& bits);

  int64_t hits() const { return hits_; }      // layers answered from the cache
  int64_t misses() const { return misses_; }  // layers simulated
  size_t size() const { return results_.size(); }
  void Clear() { results_.clear(); }

 private:
  // Shape (H, W, Fh, Fw, C, N, Sh, Sw) and bits (w, a, o).
  using Key = std::array<int64_t, 11>;
  static Key KeyOf(const Layer& layer, const LayerPrecision& bits);

  AcceleratorConfig config_;
  SimOptions options_;
  LayerWorkspace workspace_;
  std::map<Key, LayerResult> results_;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_SIM_CACHE_H_
