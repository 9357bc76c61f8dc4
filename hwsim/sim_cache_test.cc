// NetworkSimCache: cached results equal uncached ones field by field, across random plans
// over {2, 3, 4, 8} (AMED's samples), presets, stall models, word sizes and PE packing; the
// cache is hit for revisited (shape, bits) pairs; SimulateNetwork's in-call dedup is exact.
#include "hwsim/sim_cache.h"

#include <gtest/gtest.h>

#include <random>

#include "hwsim/hwsim.h"
#include "hwsim/test_util.h"

namespace strata::hwsim {
namespace {

void ExpectSameReport(const LayerReport& a, const LayerReport& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dims.m, b.dims.m);
  EXPECT_EQ(a.dims.n, b.dims.n);
  EXPECT_EQ(a.dims.k, b.dims.k);
  ExpectSameSimulation(a, b);
}

void ExpectSameLatency(const LayerLatency& a, const LayerLatency& b) {
  EXPECT_EQ(a.ifmap_bytes, b.ifmap_bytes);
  EXPECT_EQ(a.filter_bytes, b.filter_bytes);
  EXPECT_EQ(a.ofmap_bytes, b.ofmap_bytes);
  EXPECT_EQ(a.compute_ms, b.compute_ms);
  EXPECT_EQ(a.ifmap_ms, b.ifmap_ms);
  EXPECT_EQ(a.filter_ms, b.filter_ms);
  EXPECT_EQ(a.ofmap_ms, b.ofmap_ms);
  EXPECT_EQ(a.latency_ms, b.latency_ms);
  EXPECT_EQ(a.energy_uj, b.energy_uj);
}

void ExpectSameNetwork(const NetworkResult& a, const NetworkResult& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    SCOPED_TRACE(a.layers[i].report.name);
    ExpectSameReport(a.layers[i].report, b.layers[i].report);
    EXPECT_TRUE(a.layers[i].bits == b.layers[i].bits);
    EXPECT_EQ(a.layers[i].pack, b.layers[i].pack);
    ExpectSameLatency(a.layers[i].latency, b.layers[i].latency);
  }
  const NetworkTotals &x = a.totals, &y = b.totals;
  EXPECT_EQ(x.cycles, y.cycles);
  EXPECT_EQ(x.stall_cycles, y.stall_cycles);
  EXPECT_EQ(x.macs, y.macs);
  EXPECT_EQ(x.compute_ms, y.compute_ms);
  EXPECT_EQ(x.latency_ms, y.latency_ms);
  EXPECT_EQ(x.energy_uj, y.energy_uj);
  EXPECT_EQ(x.ifmap_bytes, y.ifmap_bytes);
  EXPECT_EQ(x.filter_bytes, y.filter_bytes);
  EXPECT_EQ(x.ofmap_bytes, y.ofmap_bytes);
}

// Every layer simulated from scratch, no cache, no shared workspace.
NetworkResult Uncached(const AcceleratorConfig& c, const std::vector<Layer>& layers,
                       const std::vector<LayerPrecision>& bits, const SimOptions& o) {
  NetworkResult net;
  for (size_t i = 0; i < layers.size(); ++i) {
    AppendLayer(SimulateNetworkLayer(c, layers[i], bits[i], o, nullptr), &net);
  }
  return net;
}

// Small layers with repeated shapes (conv, 1x1, strided, a DP row, an FC).
std::vector<Layer> SmallNet() {
  std::vector<Layer> l;
  EXPECT_TRUE(ParseTopologyText("h\nc1,19,19,3,3,8,16,2,\nb1,11,11,3,3,16,16,1,\n"
                                "b2,11,11,3,3,16,16,1,\nds,9,9,1,1,16,32,2,\n"
                                "dw_DP,7,7,3,3,3,1,1,\nfc,1,1,1,1,64,10,1,\n",
                                "small.csv", TopologyFormat::kAuto, &l)
                  .ok());
  return l;
}

std::vector<LayerPrecision> RandomPlan(size_t n, std::mt19937* rng) {
  static const int kBits[] = {2, 3, 4, 8};
  std::vector<LayerPrecision> bits(n);
  for (LayerPrecision& b : bits) {
    const int v = kBits[(*rng)() % 4];
    b = {v, v, v};
  }
  return bits;
}

struct Case {
  const char* preset;
  SimOptions options;
};

std::vector<Case> Cases() {
  SimOptions v202, amed, packed;
  v202.stall_model = StallModel::kV202;
  amed.word_bits = 16;
  packed.pe_packing = true;
  return {{"scalesim", SimOptions()},
          {"scalesim_lowmem", v202},
          {"eyeriss", amed},
          {"scalesim", packed}};
}

TEST(NetworkSimCache, RandomPlansEqualUncachedFieldByField) {
  const std::vector<Layer> net = SmallNet();
  std::mt19937 rng(7);
  for (const Case& k : Cases()) {
    AcceleratorConfig c;
    ASSERT_TRUE(Preset(k.preset, &c).ok());
    NetworkSimCache cache(c, k.options);  // kept across samples
    for (int sample = 0; sample < 12; ++sample) {
      SCOPED_TRACE(std::string(k.preset) + " sample " + std::to_string(sample));
      const std::vector<LayerPrecision> bits = RandomPlan(net.size(), &rng);
      ExpectSameNetwork(cache.Simulate(net, bits), Uncached(c, net, bits, k.options));
    }
    EXPECT_GT(cache.hits(), 0);
    EXPECT_LE(cache.size(), 5u * 4u);  // 5 distinct shapes x 4 bit-widths
  }
}

TEST(NetworkSimCache, RevisitedPlanIsAllHits) {
  const std::vector<Layer> net = SmallNet();
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  PrecisionPlan plan;
  plan.default_bits = {4, 4, 4};
  plan.by_name["b2"] = {2, 2, 2};
  NetworkSimCache cache(c, SimOptions());
  const NetworkResult first = cache.Simulate(net, plan);
  const int64_t misses = cache.misses();
  EXPECT_EQ(misses, 6);  // b1 != b2 in bits; the three DP copies share one entry
  const NetworkResult again = cache.Simulate(net, plan);
  EXPECT_EQ(cache.misses(), misses);
  ExpectSameNetwork(first, again);
  SimOptions o;
  o.plan = plan;
  ExpectSameNetwork(first, SimulateNetwork(c, net, o));
}

// SimulateNetwork dedups identical layers within a call; equal to simulating each alone.
TEST(NetworkSimCache, SimulateNetworkDedupIsExact) {
  std::vector<Layer> net;
  ASSERT_TRUE(
      ParseTopologyFile("hwsim/testdata/mobilenetv2.csv", TopologyFormat::kAuto, &net).ok());
  std::vector<Layer> some;  // first layers and a DP row's copies: shapes repeat
  for (size_t i = 0; i < 40; ++i) some.push_back(net[i]);
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim_lowmem", &c).ok());
  SimOptions o;
  o.plan.default_bits = {3, 3, 3};
  ExpectSameNetwork(SimulateNetwork(c, some, o),
                    Uncached(c, some, std::vector<LayerPrecision>(some.size(), {3, 3, 3}), o));
}

}  // namespace
}  // namespace strata::hwsim
