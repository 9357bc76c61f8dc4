// Bit-aware mode (HWSIM.md §7) and latency in ms (AMED §4.4).
//
// Per layer, weight / activation / output bit-widths (b_w, b_a, b_o) change only the memory
// side; the array timing is unchanged:
//   * SRAM capacity in elements: FILTER floor(kB*1024*8/b_w), IFMAP .../b_a, OFMAP .../b_o;
//   * DRAM interface of BW bytes/cycle moves floor(BW*8/b) elements per cycle;
//   * DRAM traffic in bytes = elements * b / 8.
// At 8 bits everywhere this is SCALE-Sim exactly (tested: bit-aware 8/8/8 == scalesim).
//
// Latency (AMED §4.4): compute_ms = cycles / clock; memory_ms per operand = bytes moved /
// (interface bytes per cycle * clock); layer = max(compute, memories); network = sum.
#ifndef STRATA_HWSIM_PRECISION_H_
#define STRATA_HWSIM_PRECISION_H_

#include <cstdint>
#include <map>
#include <string>

#include "hwsim/buffers.h"
#include "hwsim/config.h"
#include "hwsim/layer_sim.h"
#include "hwsim/status.h"

namespace strata::hwsim {

struct LayerPrecision {
  int weight_bits = 8, activation_bits = 8, output_bits = 8;
};
bool operator==(const LayerPrecision& a, const LayerPrecision& b);

// Bits per layer: by layer index, by layer name (an expanded DP layer also matches its CSV
// row's name), else the default.
struct PrecisionPlan {
  LayerPrecision default_bits;
  std::map<std::string, LayerPrecision> by_name;
  std::map<int64_t, LayerPrecision> by_index;
  LayerPrecision For(int64_t index, const Layer& layer) const;
};

Status ValidatePrecision(const LayerPrecision& p, const std::string& where);

// A plan from text. Either an inline uniform spec — "4" (all), "w4a8", "w4a8o8",
// "w=4,a=8,o=8" (o defaults to a) — or CSV lines `layer,weight_bits,activation_bits[,
// output_bits]` where layer is a name, an index or "*" (the default); a header is allowed.
Status ParsePrecisionText(const std::string& text, const std::string& filename,
                          PrecisionPlan* plan);

// §7: SCALE-Sim's memory parameters re-expressed in elements of the layer's bit-widths.
MemoryParams BitAwareMemory(const AcceleratorConfig& config, const LayerPrecision& bits);

struct LayerLatency {
  double ifmap_bytes = 0, filter_bytes = 0, ofmap_bytes = 0;  // DRAM traffic
  double compute_ms = 0, ifmap_ms = 0, filter_ms = 0, ofmap_ms = 0;
  double latency_ms = 0;  // max of the four
  double energy_uj = 0;   // proxy, see EnergyProxy
};
// `word_bits` is the interface word in bits (8: SCALE-Sim's 1-byte word; AMED's text says 16).
LayerLatency Latency(const LayerReport& r, const LayerPrecision& bits,
                     const AcceleratorConfig& config, double word_bits);

// Energy proxy in microjoules, order-of-magnitude only (Horowitz, ISSCC 2014, 45 nm):
// 0.23 pJ per 8x8-bit MAC scaled by b_w*b_a/64, 1.25 pJ per SRAM byte, 160 pJ per DRAM byte.
double EnergyProxyUj(const LayerReport& r, const LayerPrecision& bits, const LayerLatency& l);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_PRECISION_H_
