// Pins HWSIM.md §1–4's closed forms, computed here independently of the simulator: the
// conv-to-GEMM mapping (§1), Sr/Sc/T and folds per dataflow (§2), per-fold cycles and the
// "-1" of Total Cycles (§3), Mapping Efficiency, Compute Util and Overall Util (§3), and
// the SRAM access counts with os's R+C bookkeeping quirk (§4). Cases cover 1x1 and strided
// layers, windows sticking out past the input, partly filled edge folds in both
// directions, and square and non-square arrays.
#include <cmath>
#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "hwsim/hwsim.h"

namespace strata::hwsim {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Shape {
  int64_t h, w, fh, fw, c, n, s;
};

struct Expected {
  int64_t m, n, k, fr, fc, per_fold;
  double mapping_pct, compute_pct;
  int64_t ifmap_reads, filter_reads, ofmap_writes;
};

Expected ClosedForm(const Shape& l, Dataflow df, int64_t R, int64_t C) {
  Expected e;
  // §1: no padding, Eh = ceil((H - Fh + s) / s).
  const int64_t eh = CeilDiv(l.h - l.fh + l.s, l.s), ew = CeilDiv(l.w - l.fw + l.s, l.s);
  e.m = eh * ew, e.n = l.n, e.k = l.fh * l.fw * l.c;
  // §2: (Sr, Sc, T) = os (M, N, K), ws (K, N, M), is (K, M, N).
  const int64_t sr = df == Dataflow::kOs ? e.m : e.k;
  const int64_t sc = df == Dataflow::kIs ? e.m : e.n;
  const int64_t t = df == Dataflow::kOs ? e.k : df == Dataflow::kWs ? e.m : e.n;
  e.fr = CeilDiv(sr, R), e.fc = CeilDiv(sc, C);
  // §3: per-fold rows, and the compute-util denominator L (one skew more for ws/is).
  e.per_fold = df == Dataflow::kOs ? t + R + C - 2 : 2 * R + C + t - 2;
  const int64_t L = df == Dataflow::kOs ? t + R + C - 2 : 2 * R + 2 * C + t - 3;
  // Mean over folds of rows_used*cols_used/(R*C) = Sr*Sc / (Fr*Fc*R*C).
  const double mapping = static_cast<double>(sr) * sc / (e.fr * e.fc * R * C);
  e.mapping_pct = 100 * mapping;
  e.compute_pct = 100 * mapping * t / L;
  // §4.
  const int64_t mk = e.m * e.k, kn = e.k * e.n, mn = e.m * e.n;
  switch (df) {
    case Dataflow::kOs:
      e.ifmap_reads = mk * e.fc, e.filter_reads = kn * e.fr;
      e.ofmap_writes = mn + e.fr * e.fc * (R + C);
      break;
    case Dataflow::kWs:
      e.ifmap_reads = mk * e.fc, e.filter_reads = kn, e.ofmap_writes = mn * e.fr;
      break;
    case Dataflow::kIs:
      e.ifmap_reads = mk, e.filter_reads = kn * e.fc, e.ofmap_writes = mn * e.fr;
      break;
  }
  return e;
}

TEST(ClosedForm, MappingCyclesUtilisationsAndSramCounts) {
  const Shape kShapes[] = {
      {13, 13, 1, 1, 256, 512, 2},  // HWSIM.md §6: 1x1, stride 2
      {8, 8, 1, 1, 64, 64, 1},      // 1x1, exact folds on 32x32
      {32, 32, 3, 3, 16, 32, 2},    // strided; the last window sticks out (29 odd)
      {6, 6, 2, 2, 5, 33, 1},       // M = 25, K = 20, N = 33: edge folds both ways
      {39, 39, 7, 7, 3, 64, 2},     // a 7x7/2 stem, K = 147
      {10, 7, 3, 2, 9, 1, 3},       // non-square, one filter, stride 3
  };
  const std::pair<int64_t, int64_t> kArrays[] = {{32, 32}, {12, 14}, {8, 4}};
  for (const Shape& s : kShapes) {
    for (const auto& [R, C] : kArrays) {
      for (Dataflow df : {Dataflow::kOs, Dataflow::kWs, Dataflow::kIs}) {
        AcceleratorConfig cfg;
        cfg.array_rows = R, cfg.array_cols = C, cfg.dataflow = df;
        Layer layer{"l", "l", s.h, s.w, s.fh, s.fw, s.c, s.n, s.s, s.s};
        const LayerReport r = SimulateLayer(layer, cfg, ScaleSimMemory(cfg));
        const Expected e = ClosedForm(s, df, R, C);
        SCOPED_TRACE(std::string(DataflowName(df)) + " " + std::to_string(R) + "x" +
                     std::to_string(C) + " layer " + std::to_string(s.h) + "x" +
                     std::to_string(s.w) + " f" + std::to_string(s.fh) + "x" +
                     std::to_string(s.fw) + " c" + std::to_string(s.c) + " n" +
                     std::to_string(s.n) + " s" + std::to_string(s.s));
        EXPECT_EQ(r.dims.m, e.m);
        EXPECT_EQ(r.dims.n, e.n);
        EXPECT_EQ(r.dims.k, e.k);
        EXPECT_EQ(r.total_cycles - r.stall_cycles + 1, e.fr * e.fc * e.per_fold);
        EXPECT_NEAR(r.mapping_eff_pct, e.mapping_pct, 1e-9 * e.mapping_pct);
        EXPECT_NEAR(r.compute_util_pct, e.compute_pct, 1e-9 * e.compute_pct);
        const double overall = 100.0 * e.m * e.n * e.k / (double(r.total_cycles) * R * C);
        EXPECT_NEAR(r.overall_util_pct, overall, 1e-9 * overall);
        EXPECT_EQ(r.sram_ifmap_reads, e.ifmap_reads);
        EXPECT_EQ(r.sram_filter_reads, e.filter_reads);
        EXPECT_EQ(r.sram_ofmap_writes, e.ofmap_writes);
      }
    }
  }
}

// §1's DP rows (Num Filter 1): a depthwise row is Channels single-channel layers of one
// filter each, and each copy has the closed form of a 1-channel, 1-filter conv.
TEST(ClosedForm, DepthwiseCopiesAreSingleChannelConvs) {
  std::vector<Layer> layers;
  ASSERT_TRUE(ParseTopologyText("Layer name, IFMAP Height, IFMAP Width, Filter Height, "
                                "Filter Width, Channels, Num Filter, Strides,\n"
                                "block.DP, 17, 17, 3, 3, 24, 1, 2,\n",
                                "dw.csv", TopologyFormat::kConv, &layers)
                  .ok());
  ASSERT_EQ(layers.size(), 24u);
  AcceleratorConfig cfg;  // 32x32 os
  for (const Layer& l : layers) {
    EXPECT_EQ(l.channels, 1);
    EXPECT_EQ(l.num_filters, 1);
    const LayerReport r = SimulateLayer(l, cfg, ScaleSimMemory(cfg));
    const Expected e = ClosedForm({17, 17, 3, 3, 1, 1, 2}, Dataflow::kOs, 32, 32);
    EXPECT_EQ(r.total_cycles - r.stall_cycles + 1, e.fr * e.fc * e.per_fold);
    EXPECT_EQ(r.sram_ofmap_writes, e.ofmap_writes);
  }
}

}  // namespace
}  // namespace strata::hwsim
