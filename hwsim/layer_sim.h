// One layer through the array and the memory system: SCALE-Sim v2's cycle loop (HWSIM.md
// §5.1) over the demand rows of every fold, with the buffers of buffers.h.
//
// Worked example (HWSIM.md §6): layer4.0.downsample (13x13x256 -> 512, 1x1, stride 2) on
// 32x32, 64 kB each, os, USER, BW 10 gives Total Cycles 130047, Stall Cycles 119872,
// DRAM FILTER reads 1,310,800 (stop cycle 127,841).
#ifndef STRATA_HWSIM_LAYER_SIM_H_
#define STRATA_HWSIM_LAYER_SIM_H_

#include <cstdint>
#include <string>

#include "hwsim/buffers.h"
#include "hwsim/config.h"
#include "hwsim/operands.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

// The numbers SCALE-Sim reports for one layer (§5.5), in SCALE-Sim's units (words, cycles).
struct LayerReport {
  std::string name;
  GemmDims dims;
  int64_t total_cycles = 0, stall_cycles = 0;
  double overall_util_pct = 0, mapping_eff_pct = 0, compute_util_pct = 0;
  int64_t sram_ifmap_reads = 0, sram_filter_reads = 0, sram_ofmap_writes = 0;
  int64_t sram_ifmap_start = 0, sram_ifmap_stop = 0;
  int64_t sram_filter_start = 0, sram_filter_stop = 0;
  int64_t sram_ofmap_start = 0, sram_ofmap_stop = 0;
  DramStats dram_ifmap, dram_filter, dram_ofmap;
};

// SCALE-Sim's memory parameters: 1-byte words, buffer = kB*1024 words; USER uses the first
// Bandwidth number for each buffer; CALC uses 10 for reads and C for OFMAP writes (§5).
MemoryParams ScaleSimMemory(const AcceleratorConfig& config);

// Scratch memory reused from layer to layer (the operand layouts); optional.
struct LayerWorkspace {
  ReadOperand ifmap, filter;
};

// Simulates `layer`; `layer` and `config` must have passed ValidateLayer/ValidateConfig.
LayerReport SimulateLayer(const Layer& layer, const AcceleratorConfig& config,
                          const MemoryParams& memory, LayerWorkspace* workspace = nullptr);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_LAYER_SIM_H_
