// Fast simulator (layer_sim.h) == literal reference simulator (reference_sim.h), every report
// field, on a deterministic sweep of small layers, arrays, buffers, bandwidths, dataflows,
// USER/CALC and the three stall models. Tiny buffers force window moves, wrap-around thrashing
// and OFMAP drains with stalls; odd sizes force partial folds and windows sticking out.
#include "hwsim/reference_sim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sstream>

#include "hwsim/test_util.h"

namespace strata::hwsim {
namespace {

TEST(ReferenceSim, RandomSweepAgrees) {
  const uint32_t seed = 20250225;
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const StallModel models[] = {StallModel::kHead, StallModel::kD78b477, StallModel::kV202};
  int stalled = 0, thrashed = 0, drained_early = 0;
  for (int iter = 0; iter < 500; ++iter) {
    Layer l;
    l.name = l.source_name = "l" + std::to_string(iter);
    l.filter_h = pick(1, 3), l.filter_w = pick(1, 3);
    const int extra = iter % 5 == 0 ? 16 : 9;  // every fifth layer: long folds (bulk rows)
    l.ifmap_h = l.filter_h + pick(0, extra), l.ifmap_w = l.filter_w + pick(0, extra);
    l.channels = pick(1, 6), l.num_filters = pick(1, 12);
    l.stride_h = pick(1, 3), l.stride_w = pick(1, 3);
    AcceleratorConfig c;
    c.array_rows = pick(1, 6), c.array_cols = pick(1, 6);
    c.dataflow = static_cast<Dataflow>(pick(0, 2));
    MemoryParams m;
    m.calc = pick(0, 3) == 0;
    m.ifmap_words = pick(100, 600), m.filter_words = pick(100, 600);
    m.ofmap_words = pick(20, 300);
    m.ifmap_bw = pick(1, 12), m.filter_bw = pick(1, 12), m.ofmap_bw = pick(1, 12);
    m.stall_model = models[pick(0, 2)];
    std::ostringstream what;
    what << "seed " << seed << " iter " << iter << ": H" << l.ifmap_h << " W" << l.ifmap_w << " F"
         << l.filter_h << "x" << l.filter_w << " C" << l.channels << " N" << l.num_filters << " s"
         << l.stride_h << "," << l.stride_w << " array " << c.array_rows << "x" << c.array_cols
         << " " << DataflowName(c.dataflow) << (m.calc ? " CALC" : " USER") << " words "
         << m.ifmap_words << "/" << m.filter_words << "/" << m.ofmap_words << " bw " << m.ifmap_bw
         << "/" << m.filter_bw << "/" << m.ofmap_bw << " model " << static_cast<int>(m.stall_model);
    SCOPED_TRACE(what.str());
    const LayerReport fast = SimulateLayer(l, c, m);
    ExpectSameSimulation(fast, ReferenceSimulateLayer(l, c, m));
    if (HasFailure()) break;
    stalled += fast.stall_cycles > 0;
    thrashed +=
        fast.dram_ifmap.words + fast.dram_filter.words > 2 * (m.ifmap_words + m.filter_words);
    drained_early += fast.dram_ofmap.start < fast.total_cycles;
  }
  // The sweep must actually exercise misses, thrashing and drains during compute.
  EXPECT_GT(stalled, 30);
  EXPECT_GT(thrashed, 30);
  EXPECT_GT(drained_early, 100);
  std::printf("stalled %d thrashed %d drained early %d of 500\n", stalled, thrashed, drained_early);
}

// Overlapping windows under bit-aware memory (HWSIM.md §7: buffer words = bytes*8/b, DRAM
// elements per cycle = BW*8/b, b in {2, 3, 4, 8}): larger channel counts and arrays than the
// sweep above, so IFMAP requests are often found only in another cell holding the same address
// while the window lags behind the demand (the fast path's repeated-address shortcuts), across
// row folds, partial edge folds, strides 1-2 and all three dataflows, in USER mode.
TEST(ReferenceSim, OverlappingWindowsBitAwareSweepAgrees) {
  const uint32_t seed = 20250226;
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int kBits[] = {2, 3, 4, 8};
  int stalled = 0;
  for (int iter = 0; iter < 120; ++iter) {
    Layer l;
    l.name = l.source_name = "l" + std::to_string(iter);
    l.filter_h = pick(2, 4), l.filter_w = pick(1, 4);
    l.stride_h = pick(1, 2), l.stride_w = pick(1, 2);
    l.ifmap_h = l.filter_h + l.stride_h * pick(1, 7),
    l.ifmap_w = l.filter_w + l.stride_w * pick(1, 7);
    if (iter % 4 == 0) l.ifmap_w += 1;  // some windows sticking out too
    l.channels = pick(1, 12), l.num_filters = pick(1, 9);
    AcceleratorConfig c;
    c.array_rows = pick(2, 9), c.array_cols = pick(2, 9);
    c.dataflow = static_cast<Dataflow>(iter % 3);
    const int b = kBits[pick(0, 3)];
    MemoryParams m;
    m.ifmap_words = pick(40, 160) * 8 / b, m.filter_words = pick(40, 160) * 8 / b;
    m.ofmap_words = pick(40, 160) * 8 / b;
    m.ifmap_bw = m.filter_bw = m.ofmap_bw = std::max(1, pick(1, 10) * 8 / b);
    std::ostringstream what;
    what << "seed " << seed << " iter " << iter << ": H" << l.ifmap_h << " W" << l.ifmap_w << " F"
         << l.filter_h << "x" << l.filter_w << " C" << l.channels << " N" << l.num_filters << " s"
         << l.stride_h << "," << l.stride_w << " array " << c.array_rows << "x" << c.array_cols
         << " " << DataflowName(c.dataflow) << " bits " << b << " words " << m.ifmap_words << "/"
         << m.filter_words << "/" << m.ofmap_words << " bw " << m.ifmap_bw;
    SCOPED_TRACE(what.str());
    const LayerReport fast = SimulateLayer(l, c, m);
    ExpectSameSimulation(fast, ReferenceSimulateLayer(l, c, m));
    if (HasFailure()) break;
    stalled += fast.stall_cycles > 0;
  }
  EXPECT_GT(stalled, 40);
  std::printf("stalled %d of 120\n", stalled);
}

// The reference reproduces the worked layer of HWSIM.md §6 too (independent of the fast path).
TEST(ReferenceSim, WorkedExample) {
  Layer l;
  l.name = l.source_name = "layer4.0.downsample";
  l.ifmap_h = l.ifmap_w = 13, l.channels = 256, l.num_filters = 512, l.stride_h = l.stride_w = 2;
  AcceleratorConfig c;  // 32x32, 64 kB, os, USER, BW 10
  const LayerReport r = ReferenceSimulateLayer(l, c, ScaleSimMemory(c));
  EXPECT_EQ(r.total_cycles, 130047);
  EXPECT_EQ(r.stall_cycles, 119872);
  EXPECT_EQ(r.dram_filter.words, 1310800);
  EXPECT_EQ(r.dram_filter.stop, 127841);
  ExpectSameSimulation(r, SimulateLayer(l, c, ScaleSimMemory(c)));
}

}  // namespace
}  // namespace strata::hwsim
