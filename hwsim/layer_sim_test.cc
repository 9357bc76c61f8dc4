// HWSIM.md §6: the worked layer, every number quoted there, under all five configs.
#include "hwsim/layer_sim.h"

#include <gtest/gtest.h>

namespace strata::hwsim {
namespace {

Layer Downsample() {
  Layer l;
  l.name = l.source_name = "layer4.0.downsample";
  l.ifmap_h = l.ifmap_w = 13;  // effective input (7-1)*2+1
  l.filter_h = l.filter_w = 1;
  l.channels = 256;
  l.num_filters = 512;
  l.stride_h = l.stride_w = 2;
  return l;
}

AcceleratorConfig Config(int64_t rows, int64_t cols, int64_t kb, Dataflow df) {
  AcceleratorConfig c;
  c.array_rows = rows;
  c.array_cols = cols;
  c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = kb;
  c.dataflow = df;
  c.bandwidths = {10};
  return c;
}

LayerReport RunLayer(const AcceleratorConfig& c) {
  return SimulateLayer(Downsample(), c, ScaleSimMemory(c));
}

TEST(WorkedExample, ScaleSimOs64kB) {
  const LayerReport r = RunLayer(Config(32, 32, 64, Dataflow::kOs));
  EXPECT_EQ(r.dims.m, 49);
  EXPECT_EQ(r.dims.k, 256);
  EXPECT_EQ(r.dims.n, 512);
  EXPECT_EQ(r.total_cycles, 130047);
  EXPECT_EQ(r.stall_cycles, 119872);
  EXPECT_EQ(r.total_cycles - r.stall_cycles, 10175);  // 32 folds * 318 - 1
  EXPECT_DOUBLE_EQ(r.mapping_eff_pct, 76.5625);
  EXPECT_EQ(r.compute_util_pct, 61.63522012578616);
  EXPECT_NEAR(r.overall_util_pct, 4.8229, 5e-5);
  EXPECT_EQ(r.sram_ifmap_reads, 200704);
  EXPECT_EQ(r.sram_filter_reads, 262144);
  EXPECT_EQ(r.sram_ofmap_writes, 27136);
  EXPECT_EQ(r.dram_ifmap.words, 16390);
  EXPECT_EQ(r.dram_ifmap.start, -1639);
  EXPECT_EQ(r.dram_ifmap.stop, -1);
  EXPECT_EQ(r.dram_filter.words, 1310800);
  EXPECT_EQ(r.dram_filter.start, -3277);
  EXPECT_EQ(r.dram_filter.stop, 127841);
  EXPECT_EQ(r.dram_ofmap.words, 25088);
  EXPECT_EQ(r.dram_ofmap.start, 130047);
  EXPECT_EQ(r.dram_ofmap.stop, 132555);
}

struct Row {
  int64_t rows, cols, kb;
  Dataflow df;
  int64_t total, stall, sram_i, sram_f, sram_o, dram_i, dram_f, dram_o;
};

TEST(WorkedExample, OtherConfigs) {
  const Row table[] = {
      {32, 32, 4, Dataflow::kOs, 302904, 292729, 200704, 262144, 27136, 276750, 3015550, 25088},
      {32, 32, 64, Dataflow::kWs, 53600, 35297, 200704, 131072, 200704, 12550, 524320, 200724},
      {32, 32, 64, Dataflow::kIs, 102777, 93082, 12544, 262144, 200704, 16390, 1048640, 200704},
      {12, 14, 108, Dataflow::kWs, 69189, 0, 464128, 131072, 551936, 12940, 442400, 551936},
  };
  for (const Row& e : table) {
    SCOPED_TRACE(std::to_string(e.rows) + "x" + std::to_string(e.cols) + " " +
                 std::to_string(e.kb) + "kB " + DataflowName(e.df));
    const LayerReport r = RunLayer(Config(e.rows, e.cols, e.kb, e.df));
    EXPECT_EQ(r.total_cycles, e.total);
    EXPECT_EQ(r.stall_cycles, e.stall);
    EXPECT_EQ(r.sram_ifmap_reads, e.sram_i);
    EXPECT_EQ(r.sram_filter_reads, e.sram_f);
    EXPECT_EQ(r.sram_ofmap_writes, e.sram_o);
    EXPECT_EQ(r.dram_ifmap.words, e.dram_i);
    EXPECT_EQ(r.dram_filter.words, e.dram_f);
    EXPECT_EQ(r.dram_ofmap.words, e.dram_o);
  }
}

}  // namespace
}  // namespace strata::hwsim
