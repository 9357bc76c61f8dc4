// .cfg, topology CSV (conv, DP, GEMM), protobuf inputs and presets; bad input names the file,
// the line or field and the value.
#include <gtest/gtest.h>

#include <limits>

#include "hwsim/hwsim.h"

namespace strata::hwsim {
namespace {

const char kCfg[] =
    "[general]\nrun_name = test_run\n\n[architecture_presets]\nArrayHeight:    8\n"
    "ArrayWidth:     4\nIfmapSramSzkB:   64\nFilterSramSzkB:  32\nOfmapSramSzkB:   16\n"
    "IfmapOffset:    0\nFilterOffset:   10000000\nOfmapOffset:    20000000\n"
    "Bandwidth : 12,12,12\nDataflow : ws\nMemoryBanks:   1\n\n[run_presets]\n"
    "InterfaceBandwidth: USER\n";

TEST(Config, ParsesScaleSimCfg) {
  AcceleratorConfig c;
  ASSERT_TRUE(ParseConfigText(kCfg, "t.cfg", &c).ok());
  EXPECT_EQ(c.run_name, "test_run");
  EXPECT_EQ(c.array_rows, 8);
  EXPECT_EQ(c.array_cols, 4);
  EXPECT_EQ(c.filter_sram_kb, 32);
  EXPECT_EQ(c.dataflow, Dataflow::kWs);
  EXPECT_EQ(c.user_bandwidth(), 12);  // the first number
  AcceleratorConfig again;
  ASSERT_TRUE(ParseConfigText(FormatConfig(c), "round.cfg", &again).ok());
  EXPECT_TRUE(again == c);
}

TEST(Config, CalcNeedsNoBandwidth) {
  std::string text = kCfg;
  text.replace(text.find("Bandwidth : 12,12,12\n"), 21, "");
  text.replace(text.find("USER"), 4, "CALC");
  AcceleratorConfig c;
  ASSERT_TRUE(ParseConfigText(text, "t.cfg", &c).ok());
  EXPECT_EQ(c.bandwidth_mode, BandwidthMode::kCalc);
}

TEST(Config, BadInputNamesFileLineFieldValue) {
  AcceleratorConfig c;
  std::string text = kCfg;
  text.replace(text.find("ArrayWidth:     4"), 17, "ArrayWidth: four");
  Status s = ParseConfigText(text, "bad.cfg", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.cfg:6:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'four'"), std::string::npos) << s.message();
  text = kCfg;
  text.replace(text.find("Dataflow : ws"), 13, "Dataflow : xs");
  s = ParseConfigText(text, "bad.cfg", &c);
  EXPECT_NE(s.message().find("'xs'"), std::string::npos) << s.message();
  text = kCfg;
  text.replace(text.find("ArrayHeight:    8"), 17, "ArrayHeight: 0");
  s = ParseConfigText(text, "bad.cfg", &c);
  EXPECT_NE(s.message().find("ArrayHeight"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseConfigText("[general]\nrun_name = x\n", "min.cfg", &c).ok());
  EXPECT_FALSE(ParseConfigFile("/nonexistent/x.cfg", &c).ok());
}

// FormatConfig round-trips ClockGHz exactly (it printed 6 digits: 0.1234567 came back as
// 0.123457); a clock must be finite (inf passed `clock > 0`: latency 0 ms).
TEST(Config, ClockRoundTripsExactlyAndMustBeFinite) {
  AcceleratorConfig c, again;
  for (double clock : {0.1234567, 0.2, 1.0 / 3.0, 1e-05, 123456789.125, 2.2250738585072014e-308,
                       1.7976931348623157e308}) {
    ASSERT_TRUE(Preset("scalesim", &c).ok());
    c.clock_ghz = clock;
    ASSERT_TRUE(ParseConfigText(FormatConfig(c), "round.cfg", &again).ok()) << clock;
    EXPECT_EQ(again.clock_ghz, clock) << FormatConfig(c);
    EXPECT_TRUE(again == c) << clock;
  }
  ASSERT_TRUE(Preset("scalesim", &c).ok());  // still "0.2", not 0.20000000000000001
  EXPECT_NE(FormatConfig(c).find("ClockGHz: 0.2\n"), std::string::npos) << FormatConfig(c);
  for (const char* bad : {"inf", "-inf", "nan", "infinity", "0", "-0.5"}) {
    std::string text = kCfg;
    text.replace(text.find("MemoryBanks:   1"), 16, std::string("ClockGHz: ") + bad);
    Status s = ParseConfigText(text, "clk.cfg", &c);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("clk.cfg:15:"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("ClockGHz"), std::string::npos) << s.message();
  }
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  c.clock_ghz = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(ValidateConfig(c, "").ok());
}

// In USER mode every Bandwidth number must be >= 1, not only the first one SCALE-Sim uses.
TEST(Config, UserModeChecksEveryBandwidthNumber) {
  AcceleratorConfig c;
  for (const char* bad : {"10,-5", "10,0,10", "-1", "10,x"}) {
    std::string text = kCfg;
    text.replace(text.find("12,12,12"), 8, bad);
    Status s = ParseConfigText(text, "bw.cfg", &c);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("bw.cfg:13: field 'Bandwidth'"), std::string::npos) << s.message();
  }
  std::string text = kCfg;
  text.replace(text.find("12,12,12"), 8, "10,-5");
  EXPECT_NE(ParseConfigText(text, "bw.cfg", &c).message().find("-5"), std::string::npos);
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  c.bandwidths = {10, -5};
  EXPECT_FALSE(ValidateConfig(c, "").ok());
}

// Found while fixing the fuzz findings: unbounded SRAM sizes or bandwidths made the
// simulator's kB * 1024 * 8 products overflow int64 (undefined behaviour).
TEST(Config, HugeSramAndBandwidthAreRejected) {
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  c.ifmap_sram_kb = int64_t{9223372036854775807};
  Status s = ValidateConfig(c, "big.cfg: ");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("big.cfg: field 'IfmapSramSzkB': value 9223372036854775807"),
            std::string::npos)
      << s.message();
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  c.ofmap_sram_kb = int64_t{1} << 24;  // the largest accepted
  EXPECT_TRUE(ValidateConfig(c, "").ok());
  c.bandwidths = {int64_t{1} << 31};
  s = ValidateConfig(c, "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("field 'Bandwidth'"), std::string::npos) << s.message();
  std::string text = kCfg;
  text.replace(text.find("12,12,12"), 8, "99999999999999");
  EXPECT_FALSE(ParseConfigText(text, "bw.cfg", &c).ok());
}

TEST(Presets, FilesAgreeWithData) {
  for (const std::string& name : PresetNames()) {
    AcceleratorConfig data, file;
    ASSERT_TRUE(Preset(name, &data).ok());
    Status s = ParseConfigFile("hwsim/presets/" + name + ".cfg", &file);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(file == data) << name;
  }
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("eyeriss", &c).ok());
  EXPECT_EQ(c.array_rows, 12);
  EXPECT_EQ(c.array_cols, 14);
  EXPECT_EQ(c.filter_sram_kb, 108);
  EXPECT_EQ(c.dataflow, Dataflow::kWs);
  ASSERT_TRUE(Preset("scalesim_lowmem", &c).ok());
  EXPECT_EQ(c.ifmap_sram_kb, 4);
  EXPECT_EQ(c.clock_ghz, 0.1);
  EXPECT_FALSE(Preset("tpu", &c).ok());
}

TEST(Topology, ConvRowsAndOptionalTrailingComma) {
  std::vector<Layer> l;
  ASSERT_TRUE(ParseTopologyText("h\na, 5, 6, 3, 2, 4, 7, 2,\nb,5,6,3,2,4,7,2,1\n\n", "t.csv",
                                TopologyFormat::kAuto, &l)
                  .ok());
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].stride_w, 2);
  EXPECT_EQ(l[1].stride_w, 1);
  const GemmDims d = Dims(l[0]);  // Eh = ceil((5-3+2)/2) = 2, Ew = ceil((6-2+2)/2) = 3
  EXPECT_EQ(d.m, 6);
  EXPECT_EQ(d.k, 3 * 2 * 4);
  EXPECT_EQ(d.n, 7);
}

TEST(Topology, DepthwiseRowsExpandPerChannel) {
  std::vector<Layer> l;
  ASSERT_TRUE(ParseTopologyFile("hwsim/testdata/depthwise.csv", TopologyFormat::kAuto, &l).ok());
  ASSERT_EQ(l.size(), 1u + 16u + 1u);
  EXPECT_EQ(l[1].name, "conv_DPChannel_0");
  EXPECT_EQ(l[16].name, "conv_DPChannel_15");
  EXPECT_EQ(l[16].source_name, "conv_DP");
  EXPECT_EQ(l[16].channels, 1);
  EXPECT_EQ(Dims(l[16]).k, 9);
  // models/topology.h names depthwise rows "<name>.DP" (its TopologyCsv output parses as is).
  ASSERT_TRUE(ParseTopologyText("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                                "Width, Channels, Num Filter, Strides,\nfeatures.1.conv.0.DP, 114, "
                                "114, 3, 3, 32, 1, 1,\n",
                                "models", TopologyFormat::kAuto, &l)
                  .ok());
  EXPECT_EQ(l.size(), 32u);
  EXPECT_EQ(Dims(l[0]).m, 112 * 112);
  // "dp" is not "DP": no expansion (case-sensitive, §1).
  ASSERT_TRUE(
      ParseTopologyText("h\nconv_dp,5,5,3,3,4,1,1,\n", "t", TopologyFormat::kAuto, &l).ok());
  EXPECT_EQ(l.size(), 1u);
}

TEST(Topology, GemmRows) {
  std::vector<Layer> l;
  ASSERT_TRUE(ParseTopologyFile("hwsim/testdata/gemm.csv", TopologyFormat::kAuto, &l).ok());
  ASSERT_EQ(l.size(), 1u);
  const GemmDims d = Dims(l[0]);
  EXPECT_EQ(d.m, 256);
  EXPECT_EQ(d.n, 128);
  EXPECT_EQ(d.k, 256);
  EXPECT_EQ(l[0].ifmap_w, 256);
  EXPECT_EQ(l[0].filter_w, 256);
}

TEST(Topology, BadInput) {
  std::vector<Layer> l;
  Status s = ParseTopologyText("h\na,5,5,3,3,x,7,1,\n", "bad.csv", TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("bad.csv:2:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Channels"), std::string::npos) << s.message();
  s = ParseTopologyText("h\na,2,5,3,3,1,7,1,\n", "bad.csv", TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("larger than the IFMAP"), std::string::npos) << s.message();
  s = ParseTopologyText("h\na,5,5,3,3,1,\n", "bad.csv", TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("expected 8 or 9 fields"), std::string::npos) << s.message();
  s = ParseTopologyText("h\na,5,5,3,3,1,-7,1,\n", "bad.csv", TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("must be >= 1"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseTopologyText("header only\n", "e.csv", TopologyFormat::kAuto, &l).ok());
  EXPECT_FALSE(ParseTopologyFile("/nonexistent.csv", TopologyFormat::kAuto, &l).ok());
}

// Fields are bounded before any product is formed: huge values overflowed int64 (UB) in
// ValidateLayer/Dims and, wrapped, passed the size check ("big" had Dims().m == 0).
TEST(Topology, HugeFieldsAreRejectedWithoutOverflow) {
  struct Case {
    const char* text;
    TopologyFormat format;
    const char* expect;  // field and value named in the message
  };
  const Case cases[] = {
      {"r\n,256,8,90580768076658076", TopologyFormat::kGemm, "field 'K': value 90580768076658076"},
      {"h\nbig, 4294967296, 4294967296, 1, 1, 1, 1, 1,\n", TopologyFormat::kAuto,
       "field 'IFMAP Height': value 4294967296"},
      {"h\nstride, 2, 2, 1, 1, 1, 1, 9223372036854775807,\n", TopologyFormat::kAuto,
       "field 'Strides': value 9223372036854775807"},
      {"h, M, N, K,\ng, 4294967296, 1, 4294967296,\n", TopologyFormat::kAuto,
       "field 'M': value 4294967296"},
      {"h\nwide, 1, 268435456, 1, 268435456, 268435456, 1, 1,\n", TopologyFormat::kAuto,
       "too large"},
  };
  for (const Case& c : cases) {
    std::vector<Layer> l;
    Status s = ParseTopologyText(c.text, "huge.csv", c.format, &l);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find("huge.csv:2: "), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
  Layer big;  // layers built in code (protobuf input) go through the same checks
  big.ifmap_h = big.ifmap_w = int64_t{1} << 32;
  EXPECT_FALSE(ValidateLayer(big, "").ok());
  big = GemmLayer("g", int64_t{1} << 32, 1, int64_t{1} << 32);
  EXPECT_FALSE(ValidateLayer(big, "").ok());
}

// A DP row expands into `Channels` layers: the total per topology is capped (2^28 channels
// asked for ~60 GB) with an error naming the row; MobileNetV2 (7,136 copies) still parses.
TEST(Topology, DepthwiseExpansionIsCapped) {
  std::vector<Layer> l;
  Status s = ParseTopologyText("h\nconv_DP, 1, 1, 1, 1, 1000001, 1, 1,\n", "dp.csv",
                               TopologyFormat::kAuto, &l);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("dp.csv:2: layer 'conv_DP'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("1000000"), std::string::npos) << s.message();
  s = ParseTopologyText("h\na_DP,1,1,1,1,600000,1,1,\nb_DP,1,1,1,1,600000,1,1,\n", "dp.csv",
                        TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("dp.csv:3: layer 'b_DP'"), std::string::npos) << s.message();
  proto::Topology t;
  proto::Layer* dw = t.add_layers();
  dw->set_name("dw"), dw->set_channels(1000001), dw->set_depthwise(true);
  dw->set_ifmap_height(1), dw->set_ifmap_width(1), dw->set_filter_height(1);
  dw->set_filter_width(1), dw->set_num_filters(1);
  s = TopologyFromProto(t, "t: ", &l);
  EXPECT_NE(s.message().find("t: layers[0]: layer 'dw'"), std::string::npos) << s.message();
  ASSERT_TRUE(ParseTopologyFile("hwsim/testdata/mobilenetv2.csv", TopologyFormat::kAuto, &l).ok());
  EXPECT_GT(l.size(), 7136u);
}

// Garbage never crashes a parser: it parses or returns an error.
TEST(Parsers, RandomGarbage) {
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1664525u + 1013904223u; };
  const char alphabet[] = "0123456789,-=:[]# \nabcDPwWaAo.";
  for (int i = 0; i < 2000; ++i) {
    std::string text = i % 2 ? "h\n" : "[general]\n";
    const int n = static_cast<int>(next() % 120);
    for (int j = 0; j < n; ++j) text += alphabet[next() % (sizeof(alphabet) - 1)];
    AcceleratorConfig c;
    std::vector<Layer> l;
    PrecisionPlan p;
    (void)ParseConfigText(text, "g.cfg", &c);
    (void)ParsePrecisionText(text, "g.csv", &p);
    if (ParseTopologyText(text, "g.csv", TopologyFormat::kAuto, &l).ok()) {
      for (const Layer& layer : l) EXPECT_TRUE(ValidateLayer(layer, "").ok());
    }
  }
  std::vector<Layer> l;
  Status s = ParseTopologyText("h\nhuge,60000,60000,3,3,512,512,1,\n", "big.csv",
                               TopologyFormat::kAuto, &l);
  EXPECT_NE(s.message().find("too large"), std::string::npos) << s.message();
  AcceleratorConfig c;
  std::string text = kCfg;
  text.replace(text.find("ArrayHeight:    8"), 17, "ArrayHeight: 100000");
  EXPECT_FALSE(ParseConfigText(text, "big.cfg", &c).ok());
}

TEST(Proto, TopologyConfigAndPlan) {
  std::vector<Layer> a, b;
  ASSERT_TRUE(LoadTopology("hwsim/testdata/worked_example.pbtxt", TopologyFormat::kAuto, &a).ok());
  ASSERT_TRUE(LoadTopology("hwsim/testdata/worked_example.csv", TopologyFormat::kAuto, &b).ok());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].name, b[0].name);
  EXPECT_EQ(a[0].stride_w, 2);
  EXPECT_EQ(Dims(a[0]).m, Dims(b[0]).m);
  AcceleratorConfig c, preset;
  Status s = LoadConfig("hwsim/testdata/scalesim_config.pbtxt", &c);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(Preset("scalesim", &preset).ok());
  EXPECT_TRUE(c == preset);
  proto::Topology t;
  proto::Layer* dw = t.add_layers();
  dw->set_name("dw");
  dw->set_ifmap_height(6), dw->set_ifmap_width(6), dw->set_filter_height(3);
  dw->set_filter_width(3), dw->set_channels(5), dw->set_num_filters(1), dw->set_depthwise(true);
  ASSERT_TRUE(TopologyFromProto(t, "t: ", &a).ok());
  EXPECT_EQ(a.size(), 5u);
  dw->set_filter_height(9);
  s = TopologyFromProto(t, "t: ", &a);
  EXPECT_NE(s.message().find("layers[0]"), std::string::npos) << s.message();
  proto::AcceleratorConfig pc = ConfigToProto(preset);
  pc.set_dataflow("rs");
  s = ConfigFromProto(pc, "p: ", &c);
  EXPECT_NE(s.message().find("'rs'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace strata::hwsim
