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
};

struct LayerResult {
  LayerReport report;
  LayerPrecision bits;
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

// Runs every layer. `config` and `layers` must be validated (the parsers do it).
NetworkResult SimulateNetwork(const AcceleratorConfig& config, const std::vector<Layer>& layers,
                              const SimOptions& options);

// summary.json: config, mode, per-layer rows (cycles, ms, bytes per operand, bits) and totals.
std::string SummaryJson(const AcceleratorConfig& config, const SimOptions& options,
                        const NetworkResult& result);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_NETWORK_H_
