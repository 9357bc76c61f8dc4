// Bit-aware mode (HWSIM.md §7) and latency (AMED §4.4): 8 bits == scalesim exactly, latency
// never grows as bits drop, plans parse from every format, bad plans are rejected.
#include <gtest/gtest.h>

#include "hwsim/hwsim.h"

namespace strata::hwsim {
namespace {

std::vector<Layer> ResNet18() {
  std::vector<Layer> l;
  Status s = ParseTopologyFile("hwsim/testdata/resnet18.csv", TopologyFormat::kAuto, &l);
  EXPECT_TRUE(s.ok()) << s.message();
  return l;
}

void ExpectSameReport(const LayerReport& a, const LayerReport& b) {
  EXPECT_EQ(a.total_cycles, b.total_cycles);
  EXPECT_EQ(a.stall_cycles, b.stall_cycles);
  EXPECT_EQ(a.dram_ifmap.words, b.dram_ifmap.words);
  EXPECT_EQ(a.dram_filter.words, b.dram_filter.words);
  EXPECT_EQ(a.dram_ofmap.words, b.dram_ofmap.words);
  EXPECT_EQ(a.dram_filter.stop, b.dram_filter.stop);
  EXPECT_EQ(a.dram_ofmap.start, b.dram_ofmap.start);
}

TEST(BitAware, EightBitsIsScaleSimExactly) {
  const std::vector<Layer> net = ResNet18();
  for (const char* preset : {"scalesim", "eyeriss"}) {
    for (BandwidthMode mode : {BandwidthMode::kUser, BandwidthMode::kCalc}) {
      AcceleratorConfig c;
      ASSERT_TRUE(Preset(preset, &c).ok());
      c.bandwidth_mode = mode;
      const MemoryParams a = BitAwareMemory(c, LayerPrecision{}), b = ScaleSimMemory(c);
      EXPECT_EQ(a.ifmap_words, b.ifmap_words);
      EXPECT_EQ(a.filter_words, b.filter_words);
      EXPECT_EQ(a.ofmap_words, b.ofmap_words);
      EXPECT_EQ(a.ifmap_bw, b.ifmap_bw);
      EXPECT_EQ(a.filter_bw, b.filter_bw);
      EXPECT_EQ(a.ofmap_bw, b.ofmap_bw);
      EXPECT_EQ(a.calc, b.calc);
      std::vector<Layer> spread;  // a spread of layers, full simulation
      for (size_t i = 0; i < net.size(); i += 4) spread.push_back(net[i]);
      const NetworkResult r = SimulateNetwork(c, spread, SimOptions());
      for (size_t i = 0; i < spread.size(); ++i) {
        SCOPED_TRACE(std::string(preset) + " " + spread[i].name);
        ExpectSameReport(r.layers[i].report, SimulateLayer(spread[i], c, ScaleSimMemory(c)));
      }
    }
  }
}

TEST(BitAware, FourBitsDoublesElementsPerByte) {
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  const MemoryParams m = BitAwareMemory(c, LayerPrecision{4, 8, 16});
  EXPECT_EQ(m.filter_words, 2 * 64 * 1024);
  EXPECT_EQ(m.filter_bw, 20);
  EXPECT_EQ(m.ifmap_words, 64 * 1024);
  EXPECT_EQ(m.ofmap_words, 32 * 1024);
  EXPECT_EQ(m.ofmap_bw, 5);
}

TEST(Latency, WorkedExampleFormula) {
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  std::vector<Layer> l;
  ASSERT_TRUE(
      ParseTopologyFile("hwsim/testdata/worked_example.csv", TopologyFormat::kAuto, &l).ok());
  const NetworkResult r = SimulateNetwork(c, l, SimOptions());
  const LayerLatency& t = r.layers[0].latency;
  EXPECT_DOUBLE_EQ(t.compute_ms, 130047 / 0.2e6);
  EXPECT_DOUBLE_EQ(t.filter_bytes, 1310800);
  EXPECT_DOUBLE_EQ(t.filter_ms, 1310800 / 10.0 / 0.2e6);  // 131080 DRAM cycles
  EXPECT_DOUBLE_EQ(t.latency_ms, std::max(t.compute_ms, t.filter_ms));
  EXPECT_DOUBLE_EQ(r.totals.latency_ms, t.latency_ms);
  SimOptions amed;
  amed.word_bits = 16;  // AMED's stated word size: twice the bytes per cycle
  EXPECT_DOUBLE_EQ(SimulateNetwork(c, l, amed).layers[0].latency.filter_ms, t.filter_ms / 2);
}

TEST(Latency, NeverGrowsAsBitsDrop) {
  const std::vector<Layer> net = ResNet18();
  for (const std::string& preset : PresetNames()) {
    AcceleratorConfig c;
    ASSERT_TRUE(Preset(preset, &c).ok());
    double previous_ms = 1e300, previous_bytes = 1e300;
    for (int bits : {8, 6, 4, 3, 2}) {
      SimOptions o;
      o.plan.default_bits = LayerPrecision{bits, bits, bits};
      const NetworkTotals t = SimulateNetwork(c, net, o).totals;
      const double bytes = t.ifmap_bytes + t.filter_bytes + t.ofmap_bytes;
      SCOPED_TRACE(preset + " at " + std::to_string(bits) + " bits");
      EXPECT_LE(t.latency_ms, previous_ms);
      EXPECT_LE(bytes, previous_bytes);
      previous_ms = t.latency_ms, previous_bytes = bytes;
    }
  }
}

// §7's explicit packing option: no effect at 8 bits; at 4 bits fewer stall-free (compute)
// cycles. Total cycles need not drop: in USER mode the wrap-around thrashing of §5.2 depends
// on the tile shapes, so a packed layer can stall more (seen on ResNet-18 at BW 10).
TEST(Packing, FasterAtLowBitsIdenticalAtEight) {
  std::vector<Layer> net = ResNet18();
  net.resize(8);
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  SimOptions plain, packed;
  packed.pe_packing = true;
  const NetworkResult a8 = SimulateNetwork(c, net, plain), p8 = SimulateNetwork(c, net, packed);
  EXPECT_EQ(a8.totals.cycles, p8.totals.cycles);
  EXPECT_EQ(p8.layers[3].pack, 1);
  plain.plan.default_bits = packed.plan.default_bits = LayerPrecision{4, 4, 8};
  const NetworkResult a4 = SimulateNetwork(c, net, plain), p4 = SimulateNetwork(c, net, packed);
  EXPECT_EQ(p4.layers[3].pack, 2);
  EXPECT_EQ(p4.layers[3].report.dims.k, a4.layers[3].report.dims.k / 2);
  auto stall_free = [](const NetworkResult& r) { return r.totals.cycles - r.totals.stall_cycles; };
  EXPECT_LT(stall_free(p4), stall_free(a4));
}

TEST(Plan, Formats) {
  PrecisionPlan p;
  ASSERT_TRUE(ParsePrecisionText("w4a8", "flag", &p).ok());
  EXPECT_TRUE(p.default_bits == (LayerPrecision{4, 8, 8}));
  ASSERT_TRUE(ParsePrecisionText("4", "flag", &p).ok());
  EXPECT_TRUE(p.default_bits == (LayerPrecision{4, 4, 4}));
  ASSERT_TRUE(ParsePrecisionText("w=2,a=4,o=8", "flag", &p).ok());
  EXPECT_TRUE(p.default_bits == (LayerPrecision{2, 4, 8}));
  ASSERT_TRUE(LoadPrecisionPlan("hwsim/testdata/plan.csv", &p).ok());
  Layer conv1, ds, other, dp;
  conv1.name = conv1.source_name = "conv1";
  ds.name = ds.source_name = "layer4.0.downsample";
  other.name = other.source_name = "x";
  EXPECT_TRUE(p.For(0, conv1) == (LayerPrecision{8, 8, 8}));
  EXPECT_TRUE(p.For(17, ds) == (LayerPrecision{4, 4, 4}));
  EXPECT_TRUE(p.For(5, other) == (LayerPrecision{2, 4, 4}));
  EXPECT_TRUE(p.For(6, other) == (LayerPrecision{8, 8, 8}));
  Status s = LoadPrecisionPlan("hwsim/testdata/plan.pbtxt", &p);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(p.default_bits == (LayerPrecision{4, 8, 8}));
  EXPECT_TRUE(p.For(0, other) == (LayerPrecision{8, 8, 8}));
  Layer fc;
  fc.name = fc.source_name = "fc";
  EXPECT_TRUE(p.For(20, fc) == (LayerPrecision{8, 8, 16}));
  ASSERT_TRUE(ParsePrecisionText("conv_DP,2,2\n", "p.csv", &p).ok());
  dp.name = "conv_DPChannel_3", dp.source_name = "conv_DP";  // a DP copy takes its row's bits
  EXPECT_TRUE(p.For(4, dp) == (LayerPrecision{2, 2, 2}));
}

TEST(Plan, BadInput) {
  PrecisionPlan p;
  EXPECT_FALSE(ParsePrecisionText("w4", "flag", &p).ok());
  Status s = ParsePrecisionText("w0a8", "flag", &p);
  EXPECT_NE(s.message().find("weight_bits"), std::string::npos) << s.message();
  s = ParsePrecisionText("layer,w,a\nconv1,four,8\n", "p.csv", &p);
  EXPECT_NE(s.message().find("p.csv:2:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'four'"), std::string::npos) << s.message();
  s = ParsePrecisionText("conv1,8,64\nconv2,8,8\n", "p.csv", &p);
  EXPECT_NE(s.message().find("activation_bits"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace strata::hwsim
