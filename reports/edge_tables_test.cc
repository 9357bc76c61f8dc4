// edge_table5's same_params_as: which INQ widths ended as one model.
#include "reports/edge_tables.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace reports {
namespace {

TEST(SameParamsAs, NarrowestWidthWithEqualDigestsForEverySeed) {
  const std::map<int, std::vector<std::string>> d = {
      {5, {"a", "b"}}, {6, {"c", "d"}}, {7, {"e", "f"}}, {8, {"e", "f"}}, {9, {"e", "f"}}};
  EXPECT_EQ(SameParamsAs(d, 5), std::nullopt);
  EXPECT_EQ(SameParamsAs(d, 6), std::nullopt);
  EXPECT_EQ(SameParamsAs(d, 7), std::nullopt);  // only narrower widths count
  EXPECT_EQ(SameParamsAs(d, 8), 7);
  EXPECT_EQ(SameParamsAs(d, 9), 7);             // the narrowest, not the next one
  EXPECT_EQ(SameParamsAs(d, 4), std::nullopt);  // a width without runs
}

TEST(SameParamsAs, OneSeedDifferingIsNotTheSameModel) {
  const std::map<int, std::vector<std::string>> d = {{7, {"e", "f"}}, {8, {"e", "g"}}};
  EXPECT_EQ(SameParamsAs(d, 8), std::nullopt);
}

}  // namespace
}  // namespace reports
}  // namespace strata
