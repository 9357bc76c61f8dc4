// HWSIM.md §6: the worked layer, every number quoted there, under all five configs.
#include "hwsim/layer_sim.h"

#include <gtest/gtest.h>

#include "hwsim/network.h"

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

namespace strata::hwsim {
namespace {

// SCALE-Sim v2's own golden reports (test/general/golden_trace_user_{os,ws,is}: GEMM
// "Test 1, 256, 128, 256" on configs/scale.cfg = 32x32, 64 kB, BW 10, USER). They were
// generated between d78b477 and 22f88b1 (HWSIM.md §5.6), so they are checked with that stall
// model: every field matches, an independent check of the whole USER memory model.
TEST(GoldenGemm, UserModes) {
  struct G {
    Dataflow df;
    int64_t total, stall, sram_i0, sram_i1, sram_f0, sram_f1, sram_o0, sram_o1;
    int64_t di0, di1, di, df0, df1, dfw, do0, do1, dow;
  };
  const G golden[] = {
      {Dataflow::kOs, 52447, 42272, 1, 52417, 1, 52417, 255, 52447, -3277, 49169, 524320, -3277, -1,
       32770, 52447, 55723, 32768},
      {Dataflow::kWs, 52447, 41248, 33, 52417, 1, 52130, 63, 52447, -3277, 49169, 524320, -3277, -1,
       32770, 11831, 55725, 262175},
      {Dataflow::kIs, 19984, 5777, 1, 19795, 33, 19954, 63, 19984, -3277, 9833, 131080, -3277, -1,
       32770, 1839, 26538, 262157},
  };
  for (const G& g : golden) {
    SCOPED_TRACE(DataflowName(g.df));
    AcceleratorConfig c = Config(32, 32, 64, g.df);
    MemoryParams mem = ScaleSimMemory(c);
    mem.stall_model = StallModel::kD78b477;
    const LayerReport r = SimulateLayer(GemmLayer("Test 1", 256, 128, 256), c, mem);
    EXPECT_EQ(r.total_cycles, g.total);
    EXPECT_EQ(r.stall_cycles, g.stall);
    EXPECT_EQ(r.sram_ifmap_start, g.sram_i0);
    EXPECT_EQ(r.sram_ifmap_stop, g.sram_i1);
    EXPECT_EQ(r.sram_filter_start, g.sram_f0);
    EXPECT_EQ(r.sram_filter_stop, g.sram_f1);
    EXPECT_EQ(r.sram_ofmap_start, g.sram_o0);
    EXPECT_EQ(r.sram_ofmap_stop, g.sram_o1);
    EXPECT_EQ(r.dram_ifmap.start, g.di0);
    EXPECT_EQ(r.dram_ifmap.stop, g.di1);
    EXPECT_EQ(r.dram_ifmap.words, g.di);
    EXPECT_EQ(r.dram_filter.start, g.df0);
    EXPECT_EQ(r.dram_filter.stop, g.df1);
    EXPECT_EQ(r.dram_filter.words, g.dfw);
    EXPECT_EQ(r.dram_ofmap.start, g.do0);
    EXPECT_EQ(r.dram_ofmap.stop, g.do1);
    EXPECT_EQ(r.dram_ofmap.words, g.dow);
  }
}

// The repository's CALC golden test (alexnet conv1 224x224x3, 11x11, 96 filters, stride 4 on
// 32x32 ws, 64 kB, CALC): test/golden_trace and test/general/golden_trace.
TEST(GoldenCalc, AlexnetConv1) {
  AcceleratorConfig c = Config(32, 32, 64, Dataflow::kWs);
  c.bandwidth_mode = BandwidthMode::kCalc;
  Layer l;
  l.name = l.source_name = "Conv1";
  l.ifmap_h = l.ifmap_w = 224;
  l.filter_h = l.filter_w = 11;
  l.channels = 3;
  l.num_filters = 96;
  l.stride_h = l.stride_w = 4;
  const LayerReport r = SimulateLayer(l, c, ScaleSimMemory(c));
  EXPECT_EQ(r.total_cycles, 112283);
  EXPECT_EQ(r.stall_cycles, 0);
  EXPECT_EQ(r.overall_util_pct, 91.68309650614964);
  EXPECT_EQ(r.mapping_eff_pct, 94.53125);
  EXPECT_NEAR(r.compute_util_pct, 90.78000992063485, 1e-12);  // last digit differs (§5.4)
  EXPECT_EQ(r.sram_ifmap_start, 33);
  EXPECT_EQ(r.sram_ifmap_stop, 112176);
  EXPECT_EQ(r.sram_ifmap_reads, 3294225);
  EXPECT_EQ(r.sram_filter_start, 1);
  EXPECT_EQ(r.sram_filter_stop, 109197);
  EXPECT_EQ(r.sram_filter_reads, 34848);
  EXPECT_EQ(r.sram_ofmap_start, 63);
  EXPECT_EQ(r.sram_ofmap_stop, 112283);
  EXPECT_EQ(r.sram_ofmap_writes, 3484800);
  EXPECT_EQ(r.dram_ifmap.start, -3243);
  EXPECT_EQ(r.dram_ifmap.stop, 111824);
  EXPECT_EQ(r.dram_ifmap.words, 1805023);
  EXPECT_EQ(r.dram_filter.start, -3275);
  EXPECT_EQ(r.dram_filter.stop, 102937);
  EXPECT_EQ(r.dram_filter.words, 34848);
  EXPECT_EQ(r.dram_ofmap.start, 1102);
  EXPECT_EQ(r.dram_ofmap.stop, 112639);
  EXPECT_EQ(r.dram_ofmap.words, 3484831);
}

}  // namespace
}  // namespace strata::hwsim

namespace strata::hwsim {
namespace {

// USER vs CALC (§5.4): CALC reads never stall, so Total Cycles = stall-free + OFMAP stalls,
// and DRAM reads are distinct addresses (no wrap-around thrashing, no whole-row rounding).
TEST(Modes, CalcReadsNeverStall) {
  for (Dataflow df : {Dataflow::kOs, Dataflow::kWs, Dataflow::kIs}) {
    SCOPED_TRACE(DataflowName(df));
    AcceleratorConfig user = Config(32, 32, 64, df), calc = user;
    calc.bandwidth_mode = BandwidthMode::kCalc;
    const LayerReport u = RunLayer(user), c = RunLayer(calc);
    const int64_t stall_free = u.total_cycles - u.stall_cycles;
    EXPECT_EQ(c.total_cycles - c.stall_cycles, stall_free);
    EXPECT_LE(c.total_cycles, u.total_cycles);
    EXPECT_LE(c.dram_filter.words, u.dram_filter.words);
    EXPECT_GE(c.dram_filter.words, 256 * 512);            // every weight at least once
    EXPECT_LE(c.dram_filter.words, c.sram_filter_reads);  // at most once per SRAM read
    EXPECT_GE(c.dram_ifmap.words, 13 * 13 * 256 / 4);     // the stride-2 pixels used
    EXPECT_EQ(c.sram_ifmap_reads, u.sram_ifmap_reads);    // compute side is mode-independent
    EXPECT_EQ(c.compute_util_pct, u.compute_util_pct);
  }
}

// §1: a DP row of C channels is C identical single-channel layers, each simulated from
// scratch, equal to the 1-channel layer run alone.
TEST(Depthwise, ExpandedCopiesAreIdentical) {
  std::vector<Layer> net;
  ASSERT_TRUE(
      ParseTopologyText("h\nblock_DP,30,30,3,3,24,1,1,\n", "dw.csv", TopologyFormat::kAuto, &net)
          .ok());
  ASSERT_EQ(net.size(), 24u);
  AcceleratorConfig c = Config(32, 32, 4, Dataflow::kOs);
  Layer single = net[0];
  single.name = single.source_name = "single";
  const LayerReport alone = SimulateLayer(single, c, ScaleSimMemory(c));
  const NetworkResult r = SimulateNetwork(c, net, SimOptions());
  for (const LayerResult& l : r.layers) {
    EXPECT_EQ(l.report.total_cycles, alone.total_cycles);
    EXPECT_EQ(l.report.stall_cycles, alone.stall_cycles);
    EXPECT_EQ(l.report.dram_ifmap.words, alone.dram_ifmap.words);
    EXPECT_EQ(l.report.dram_filter.words, alone.dram_filter.words);
    EXPECT_EQ(l.report.dram_ofmap.stop, alone.dram_ofmap.stop);
  }
  EXPECT_EQ(r.totals.cycles, 24 * alone.total_cycles);
}

// HWSIM.md §5.2's examples from ResNet-18 (unpadded/effective shapes as in testdata).
TEST(WorkedExample, Section52Examples) {
  AcceleratorConfig c = Config(32, 32, 64, Dataflow::kOs);
  std::vector<Layer> net;
  ASSERT_TRUE(ParseTopologyFile("hwsim/testdata/resnet18.csv", TopologyFormat::kAuto, &net).ok());
  const LayerReport l40c2 = SimulateLayer(net[16], c, ScaleSimMemory(c));  // layer4.0.conv2
  EXPECT_EQ(net[16].name, "layer4.0.conv2");
  EXPECT_EQ(l40c2.dram_filter.words, 40077710);
  const LayerReport l1 = SimulateLayer(net[1], c, ScaleSimMemory(c));  // layer1.0.conv1
  EXPECT_NEAR(static_cast<double>(l1.dram_ifmap.words), 16.25e6, 0.01e6);
  EXPECT_NEAR(static_cast<double>(l1.sram_ifmap_reads), 3.61e6, 0.01e6);
}

}  // namespace
}  // namespace strata::hwsim
