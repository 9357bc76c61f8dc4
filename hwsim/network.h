// A whole network: every layer through layer_sim, per-layer bits from a precision plan,
// latency in ms per layer and in total (AMED §4.4), and the summary.json hwsim writes.
#ifndef STRATA_HWSIM_NETWORK_H_
#define STRATA_HWSIM_NETWORK_H_

#include <string>
#include <vector>

#include "hwsim/config.h"
#include "hwsim/layer_sim.h"
#include "hwsim/precision.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

struct SimOptions {
  PrecisionPlan plan;  // all 8 bits by default: identical to SCALE-Sim
  StallModel stall_model = StallModel::kHead;
  double word_bits = 8;  // interface word for latency (AMED's text assumes 16)
  // Explicit PE-packing option (HWSIM.md §7, off by default): a PE packs p = 8 / max(b_w, b_a)
  // narrow MACs, modelled as p input channels per 8-bit word — the layer runs with
  // ceil(Cin / p) channels (shorter T in os, fewer row folds in ws/is) and the packed IFMAP
  // and FILTER words are bytes. Outputs are not packed. Single-channel layers cannot pack.
  bool pe_packing = false;
};

struct LayerResult {
  LayerReport report;
  LayerPrecision bits;
  int pack = 1;  // PE packing factor used (1 unless SimOptions::pe_packing)
  LayerLatency latency;
};

struct NetworkTotals {
  int64_t cycles = 0, stall_cycles = 0, macs = 0;
  double compute_ms = 0, latency_ms = 0, energy_uj = 0;
  double ifmap_bytes = 0, filter_bytes = 0, ofmap_bytes = 0;  // DRAM traffic
};

struct NetworkResult {
  std::vector<LayerResult> layers;
  NetworkTotals totals;
  std::vector<LayerReport> reports() const;
};

// The packing factor of a layer under `bits` (1 when packing is off or impossible).
int PackingFactor(const Layer& layer, const LayerPrecision& bits, bool pe_packing);

// Runs every layer. `config` and `layers` must be validated (the parsers do it). Layers are
// independent, so a layer whose shape and bits equal an earlier one's (DP copies, repeated
// blocks) is simulated once and copied (NetworkSimCache in sim_cache.h; same result).
NetworkResult SimulateNetwork(const AcceleratorConfig& config, const std::vector<Layer>& layers,
                              const SimOptions& options);

// One layer of a network at `bits` (packing, §7 memory parameters, latency); `options.plan`
// is not read. `workspace` may be null.
LayerResult SimulateNetworkLayer(const AcceleratorConfig& config, const Layer& layer,
                                 const LayerPrecision& bits, const SimOptions& options,
                                 LayerWorkspace* workspace);
// Appends `layer` to `net` and adds it to the totals (in layer order, as SimulateNetwork).
void AppendLayer(LayerResult layer, NetworkResult* net);

// summary.json: config, mode, per-layer rows (cycles, ms, bytes per operand, bits) and totals.
std::string SummaryJson(const AcceleratorConfig& config, const SimOptions& options,
                        const NetworkResult& result);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_NETWORK_H_
