// The training library's test helpers (test_util.h).
#include "moo/train/test_util.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace strata {
namespace moo {

std::string TestTmpDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/" + name;
}

std::string SyntheticData(int train, int test, int train_seed, int test_seed) {
  auto block = [](const char* field, const char* split, int n, int seed) {
    return std::string(field) + " { kind: SYNTHETIC split: " + split +
           " synthetic { num_examples: " + std::to_string(n) +
           " num_classes: 4 channels: 1 height: 28 width: 28 seed: " + std::to_string(seed) +
           " } }\n";
  };
  return block("train_data", "TRAIN", train, train_seed) +
         block("test_data", "TEST", test, test_seed);
}

ExperimentConfig ParseOrFail(const std::string& text) {
  StatusOr<ExperimentConfig> c = ParseExperimentConfig(text, "test.pbtxt");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? c.value() : ExperimentConfig();
}

}  // namespace moo
}  // namespace strata
