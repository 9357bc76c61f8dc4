// Every config committed under reports/configs/ (the README's and the issues' commands)
// parses and validates, pretrained runs included.
#include <filesystem>

#include "gtest/gtest.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

TEST(ConfigsTest, EveryCommittedConfigLoads) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("reports/configs")) {
    if (e.path().extension() != ".pbtxt") continue;
    ++n;
    const StatusOr<moo::ExperimentConfig> c = moo::LoadExperimentConfig(e.path().string());
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (c.ok() && c.value().has_pretrained()) {
      EXPECT_TRUE(moo::ValidateExperimentConfig(c.value().pretrained()).ok()) << e.path();
    }
  }
  EXPECT_GE(n, 7);
}

}  // namespace
}  // namespace reports
}  // namespace strata
