// The CLI contract: --config/--topology/--out[/--bits] write the three CSVs and summary.json;
// bad input exits 2 with a message naming the file; --reference diffs against SCALE-Sim's.
#include "hwsim/cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "hwsim/hwsim.h"
#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

int RunHwsim(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  const int rc = RunCli(args, "", o, e);
  *out = o.str(), *err = e.str();
  return rc;
}

TEST(Cli, WritesReportsAndSummary) {
  const std::string dir = ::testing::TempDir() + "/cli_out";
  std::string out, err;
  ASSERT_EQ(RunHwsim({"--config=hwsim/presets/scalesim.cfg",
                      "--topology=hwsim/testdata/worked_example.csv", "--out=" + dir},
                     &out, &err),
            0)
      << err;
  for (const char* f : {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv",
                        "summary.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  }
  std::string compute, summary;
  ASSERT_TRUE(ReadFile(dir + "/COMPUTE_REPORT.csv", &compute).ok());
  EXPECT_NE(compute.find("0, 130047, 119872, "), std::string::npos) << compute;
  ASSERT_TRUE(ReadFile(dir + "/summary.json", &summary).ok());
  EXPECT_NE(summary.find("\"latency_ms\": 0.6554"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"clock_ghz\": 0.2"), std::string::npos) << summary;
  // Its own output as reference: every field equal, exit 0.
  ASSERT_EQ(RunHwsim({"--config=scalesim", "--topology=hwsim/testdata/worked_example.csv",
                      "--out=" + dir + "/again", "--reference=" + dir},
                     &out, &err),
            0)
      << err << out;
  EXPECT_NE(out.find("29 of 29 fields equal"), std::string::npos) << out;
  // With 4-bit weights the DRAM numbers change: exit 3 and COMPARISON.csv lists them.
  EXPECT_EQ(RunHwsim({"--config=scalesim", "--topology=hwsim/testdata/worked_example.csv",
                      "--out=" + dir + "/w4", "--bits=w4a8", "--reference=" + dir},
                     &out, &err),
            3);
  EXPECT_TRUE(std::filesystem::exists(dir + "/w4/COMPARISON.csv"));
}

TEST(Cli, GemmDepthwiseAndPbtxtInputs) {
  const std::string dir = ::testing::TempDir() + "/cli_more";
  std::string out, err;
  EXPECT_EQ(
      RunHwsim({"--config=eyeriss", "--topology=hwsim/testdata/gemm.csv", "--out=" + dir + "/g"},
               &out, &err),
      0)
      << err;
  EXPECT_EQ(RunHwsim({"--config=hwsim/testdata/scalesim_config.pbtxt",
                      "--topology=hwsim/testdata/worked_example.pbtxt", "--out=" + dir + "/p",
                      "--bits=hwsim/testdata/plan.pbtxt", "--stall_model=v2.0.2", "--pe_packing"},
                     &out, &err),
            0)
      << err;
  ASSERT_EQ(RunHwsim({"--config=scalesim_lowmem", "--topology=hwsim/testdata/depthwise.csv",
                      "--out=" + dir + "/d"},
                     &out, &err),
            0)
      << err;
  std::string compute;
  ASSERT_TRUE(ReadFile(dir + "/d/COMPUTE_REPORT.csv", &compute).ok());
  EXPECT_EQ(std::count(compute.begin(), compute.end(), '\n'), 1 + 18);  // DP row: 16 rows
}

TEST(Cli, BadInputExitsTwoWithAClearMessage) {
  std::string out, err;
  EXPECT_EQ(RunHwsim({"--config=scalesim"}, &out, &err), 2);
  EXPECT_NE(err.find("missing flag --topology"), std::string::npos) << err;
  EXPECT_EQ(RunHwsim({"--config=nope.cfg", "--topology=x.csv", "--out=/tmp/x"}, &out, &err), 2);
  EXPECT_NE(err.find("nope.cfg: no such config file"), std::string::npos) << err;
  const std::string bad = ::testing::TempDir() + "/bad.csv";
  ASSERT_TRUE(WriteFileAtomic(bad, "h\nconv,5,5,3,3,1,8,1,\nconv2,5,5,3,x,1,8,1,\n").ok());
  EXPECT_EQ(RunHwsim({"--config=scalesim", "--topology=" + bad, "--out=/tmp/x"}, &out, &err), 2);
  EXPECT_NE(err.find("bad.csv:3: field 'Filter Width': value 'x'"), std::string::npos) << err;
  EXPECT_EQ(RunHwsim({"--config=scalesim", "--topology=hwsim/testdata/gemm.csv", "--out=/tmp/x",
                      "--bits=w4"},
                     &out, &err),
            2);
  EXPECT_EQ(RunHwsim({"--config=scalesim", "--topology=hwsim/testdata/gemm.csv", "--out=/tmp/x",
                      "--frobnicate=1"},
                     &out, &err),
            2);
  EXPECT_NE(err.find("unknown flag '--frobnicate'"), std::string::npos) << err;
  EXPECT_EQ(RunHwsim({"--config=scalesim", "--topology=hwsim/testdata/gemm.csv", "--out=/tmp/x",
                      "--stall_model=v3"},
                     &out, &err),
            2);
}

}  // namespace
}  // namespace strata::hwsim
