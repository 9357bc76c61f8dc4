// Report text is byte-identical to SCALE-Sim's (headers, separators, Python float repr), and
// the --reference comparison finds exactly the fields that differ.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "hwsim/hwsim.h"
#include "hwsim/pyfloat.h"
#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

TEST(PyFloat, MatchesPythonRepr) {
  EXPECT_EQ(PyFloat(10.0), "10.0");
  EXPECT_EQ(PyFloat(100.0), "100.0");
  EXPECT_EQ(PyFloat(-3277.0), "-3277.0");
  EXPECT_EQ(PyFloat(0.0), "0.0");
  EXPECT_EQ(PyFloat(61.63522012578616), "61.63522012578616");
  EXPECT_EQ(PyFloat(25088.0 / 2509.0), "9.99920286966919");
  EXPECT_EQ(PyFloat(0.1), "0.1");
  EXPECT_EQ(PyFloat(0.0001), "0.0001");
  EXPECT_EQ(PyFloat(0.00001), "1e-05");
  EXPECT_EQ(PyFloat(1.5e-7), "1.5e-07");
  EXPECT_EQ(PyFloat(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(PyFloat(1e16), "1e+16");
  EXPECT_EQ(PyFloat(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(PyFloat(1e100), "1e+100");
}

const char kComputeHeader[] =
    "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n";
const char kBandwidthHeader[] =
    "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, "
    "Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n";
const char kDetailedHeader[] =
    "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start "
    "Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop "
    "Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, "
    "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, "
    "DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n";

LayerReport GoldenGemm(Dataflow df) {
  AcceleratorConfig c;  // configs/scale.cfg: 32x32, 64 kB, BW 10, USER
  c.dataflow = df;
  MemoryParams m = ScaleSimMemory(c);
  m.stall_model = StallModel::kD78b477;  // the goldens' vintage, see layer_sim_test
  return SimulateLayer(GemmLayer("Test 1", 256, 128, 256), c, m);
}

// The goldens were printed by a Python >= 3.12, whose sum() of floats is compensated; the
// reference runs of HWSIM.md (and hwsim) use Python 3.11's plain left-to-right sum, e.g.
// §6's 61.63522012578616 (a compensated sum gives ...617). So Compute Util may differ in the
// last digit from these goldens; every other byte must match.
void ExpectComputeRow(const LayerReport& r, const std::string& golden_prefix, double golden_util) {
  const std::string csv = ComputeReportCsv({r});
  EXPECT_EQ(csv.substr(0, csv.rfind(", ", csv.size() - 3) + 2),
            std::string(kComputeHeader) + golden_prefix);
  EXPECT_NEAR(r.compute_util_pct, golden_util, 4e-14 * golden_util);
}

// Byte-for-byte against SCALE-Sim's test/general/golden_trace_user_* reports.
TEST(Reports, ByteIdenticalToScaleSimGoldens) {
  const std::vector<LayerReport> os = {GoldenGemm(Dataflow::kOs)};
  ExpectComputeRow(os[0], "0, 52447, 42272, 15.619577859553454, 100.0, ", 80.50314465408806);
  EXPECT_EQ(BandwidthReportCsv(os),
            std::string(kBandwidthHeader) +
                "0, 4.9982649150571055, 4.9982649150571055, 0.6638320590310218, "
                "9.997139969874349, 10.0, 9.99938968568813,\n");
  EXPECT_EQ(DetailedReportCsv(os),
            std::string(kDetailedHeader) +
                "0, 1.0, 52417.0, 262144, 1.0, 52417.0, 262144, 255.0, 52447.0, 34816, -3277.0, "
                "49169.0, 524320, -3277.0, -1.0, 32770, 52447.0, 55723.0, 32768,\n");
  const std::vector<LayerReport> ws = {GoldenGemm(Dataflow::kWs)};
  ExpectComputeRow(ws[0], "0, 52447, 41248, 15.619577859553454, 100.0, ", 67.19160104986877);
  EXPECT_EQ(DetailedReportCsv(ws),
            std::string(kDetailedHeader) +
                "0, 33.0, 52417.0, 262144, 1.0, 52130.0, 32768, 63.0, 52447.0, 262144, -3277.0, "
                "49169.0, 524320, -3277.0, -1.0, 32770, 11831.0, 55725.0, 262175,\n");
  const std::vector<LayerReport> is = {GoldenGemm(Dataflow::kIs)};
  ExpectComputeRow(is[0], "0, 19984, 5777, 40.99279423538831, 100.0, ", 50.59288537549407);
  EXPECT_EQ(DetailedReportCsv(is),
            std::string(kDetailedHeader) +
                "0, 1.0, 19795.0, 65536, 33.0, 19954.0, 262144, 63.0, 19984.0, 262144, -3277.0, "
                "9833.0, 131080, -3277.0, -1.0, 32770, 1839.0, 26538.0, 262157,\n");
}

TEST(Reports, WorkedExampleRow) {
  AcceleratorConfig c;
  ASSERT_TRUE(Preset("scalesim", &c).ok());
  std::vector<Layer> l;
  ASSERT_TRUE(
      ParseTopologyFile("hwsim/testdata/worked_example.csv", TopologyFormat::kAuto, &l).ok());
  const std::vector<LayerReport> r = SimulateNetwork(c, l, SimOptions()).reports();
  const std::string compute = ComputeReportCsv(r);
  EXPECT_NE(compute.find("\n0, 130047, 119872, 4.82"), std::string::npos) << compute;
  EXPECT_NE(compute.find(", 76.5625, 61.63522012578616,\n"), std::string::npos) << compute;
  const std::string detail = DetailedReportCsv(r);
  EXPECT_NE(detail.find(", -1639.0, -1.0, 16390, -3277.0, 127841.0, 1310800, 130047.0, "
                        "132555.0, 25088,\n"),
            std::string::npos)
      << detail;
  EXPECT_NE(BandwidthReportCsv(r).find(", 10.0, "), std::string::npos);  // Avg IFMAP DRAM BW
}

TEST(Reports, ComparisonFindsEachDifferingField) {
  const std::vector<LayerReport> os = {GoldenGemm(Dataflow::kOs)};
  const std::string dir = ::testing::TempDir() + "/hwsim_ref";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteReports(dir, os).ok());
  ReportComparison cmp;
  ASSERT_TRUE(CompareWithReferenceDir(os, dir, &cmp).ok());
  EXPECT_EQ(cmp.fields_compared, 5 + 6 + 18);
  EXPECT_EQ(cmp.fields_equal, cmp.fields_compared);
  EXPECT_TRUE(cmp.diffs.empty());
  // The same reports under the 22f88b1 stall model differ in timing fields only.
  AcceleratorConfig c;
  const std::vector<LayerReport> head = {
      SimulateLayer(GemmLayer("Test 1", 256, 128, 256), c, ScaleSimMemory(c))};
  ASSERT_TRUE(CompareWithReferenceDir(head, dir, &cmp).ok());
  EXPECT_FALSE(cmp.diffs.empty());
  for (const FieldDiff& d : cmp.diffs) {
    EXPECT_EQ(d.field.find("Reads"), std::string::npos) << d.field;  // counts agree
    EXPECT_EQ(d.field.find("Writes"), std::string::npos) << d.field;
  }
  EXPECT_NE(ComparisonCsv(cmp).find("Total Cycles,50423,52447"), std::string::npos)
      << ComparisonCsv(cmp);
  EXPECT_FALSE(CompareWithReferenceDir(head, dir + "/missing", &cmp).ok());
  // A later SCALE-Sim's extra DETAILED_ACCESS_REPORT columns are ignored.
  std::string detail = DetailedReportCsv(os);
  detail.replace(detail.find(",\n"), 2, ", IFMAP Write Count,\n");
  detail.replace(detail.rfind(",\n"), 2, ", 7,\n");
  ASSERT_TRUE(WriteFileAtomic(dir + "/" + kDetailedReportName, detail).ok());
  ASSERT_TRUE(CompareWithReferenceDir(os, dir, &cmp).ok());
  EXPECT_TRUE(cmp.diffs.empty()) << ComparisonCsv(cmp);
}

}  // namespace
}  // namespace strata::hwsim
