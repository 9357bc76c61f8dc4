// strata_speed's non-timing logic: reading pytorch_compare.py's --json output. (The table
// itself is timed, so it is exercised by `bazel run //reports:strata_speed`, not here.)
#include "reports/strata/pytorch.h"

#include "gtest/gtest.h"

namespace strata {
namespace reports {
namespace strata_tables {
namespace {

constexpr char kGood[] =
    R"({"torch": "1.13.0a0", "model": "resnet20", "batch": 128, "threads": 2, )"
    R"("input_size": 32, "width": 1.0, "params": 269722, "mode": "train", "reps": 5, )"
    R"("img_s": 412.5, "img_s_min": 380.25, "img_s_max": 430.0, "ms_median": 310.3, )"
    R"("cpu_ms_median": 600.5})";

TEST(ParsePytorchOutput, ReadsTheLastJsonLine) {
  // Warnings before the result (stderr is merged) are skipped.
  const std::string out = std::string("UserWarning: something\n{not the result\n") + kGood + "\n";
  const PytorchRun run = ParsePytorchOutput(out, 0);
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.torch_version, "1.13.0a0");
  ASSERT_TRUE(run.params.has_value());
  EXPECT_EQ(*run.params, 269722);
  EXPECT_DOUBLE_EQ(run.img_s, 412.5);
  EXPECT_DOUBLE_EQ(run.img_s_min, 380.25);
  EXPECT_DOUBLE_EQ(run.img_s_max, 430.0);
  EXPECT_DOUBLE_EQ(run.cpu_ms, 600.5);
}

TEST(ParsePytorchOutput, ScriptErrorKeepsItsMessageAndParameterCount) {
  const PytorchRun run = ParsePytorchOutput(
      R"({"error": "parameter count of vgg16_bn: PyTorch 5, expected (strata) 6", "params": 5})",
      3);
  EXPECT_NE(run.error.find("parameter count of vgg16_bn: PyTorch 5"), std::string::npos)
      << run.error;
  ASSERT_TRUE(run.params.has_value());
  EXPECT_EQ(*run.params, 5);
}

TEST(ParsePytorchOutput, NoJsonNamesTheExitStatusAndOutput) {
  const PytorchRun run =
      ParsePytorchOutput("Traceback (most recent call last):\nImportError: boom\n", 1);
  EXPECT_NE(run.error.find("exit status 1"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("ImportError: boom"), std::string::npos) << run.error;
  EXPECT_FALSE(run.params.has_value());
}

TEST(ParsePytorchOutput, MalformedOrIncompleteJsonIsAnError) {
  EXPECT_NE(ParsePytorchOutput("{\"img_s\": 12,", 0).error, "");
  // Fields missing.
  const PytorchRun partial = ParsePytorchOutput(R"({"torch": "1.13", "img_s": 10})", 0);
  EXPECT_NE(partial.error.find("incomplete result"), std::string::npos) << partial.error;
  // A complete line with a failing exit status is not trusted either.
  EXPECT_NE(ParsePytorchOutput(kGood, 1).error, "");
  EXPECT_NE(ParsePytorchOutput("", -1).error, "");
}

}  // namespace
}  // namespace strata_tables
}  // namespace reports
}  // namespace strata
