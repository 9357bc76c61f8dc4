// Test helpers shared by hwsim's tests (testonly).
#ifndef STRATA_HWSIM_TEST_UTIL_H_
#define STRATA_HWSIM_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <utility>

#include "hwsim/layer_sim.h"

namespace strata::hwsim {

// Every simulated field of two layer reports is equal (doubles exactly); name and dims are
// not compared.
inline void ExpectSameSimulation(const LayerReport& a, const LayerReport& b) {
  EXPECT_EQ(a.total_cycles, b.total_cycles);
  EXPECT_EQ(a.stall_cycles, b.stall_cycles);
  EXPECT_EQ(a.overall_util_pct, b.overall_util_pct);
  EXPECT_EQ(a.mapping_eff_pct, b.mapping_eff_pct);
  EXPECT_EQ(a.compute_util_pct, b.compute_util_pct);
  EXPECT_EQ(a.sram_ifmap_reads, b.sram_ifmap_reads);
  EXPECT_EQ(a.sram_filter_reads, b.sram_filter_reads);
  EXPECT_EQ(a.sram_ofmap_writes, b.sram_ofmap_writes);
  EXPECT_EQ(a.sram_ifmap_start, b.sram_ifmap_start);
  EXPECT_EQ(a.sram_ifmap_stop, b.sram_ifmap_stop);
  EXPECT_EQ(a.sram_filter_start, b.sram_filter_start);
  EXPECT_EQ(a.sram_filter_stop, b.sram_filter_stop);
  EXPECT_EQ(a.sram_ofmap_start, b.sram_ofmap_start);
  EXPECT_EQ(a.sram_ofmap_stop, b.sram_ofmap_stop);
  for (auto [x, y] : {std::pair{a.dram_ifmap, b.dram_ifmap},
                      {a.dram_filter, b.dram_filter},
                      {a.dram_ofmap, b.dram_ofmap}}) {
    EXPECT_EQ(x.words, y.words);
    EXPECT_EQ(x.start, y.start);
    EXPECT_EQ(x.stop, y.stop);
  }
}

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_TEST_UTIL_H_
