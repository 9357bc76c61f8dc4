// The tables' plans share runs through the run catalogue: one config per run name across
// every vl table and strata_fp (vl_table2/7's runs reused as planned), and the once-QAT
// ablations stay within the quick budget.
#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <iterator>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

using google::protobuf::util::MessageDifferencer;

const char* const kMine[] = {"vl_table3", "vl_table4", "vl_table6",
                             "vl_table8", "vl_table9", "vl_fig7"};
const char* const kOthers[] = {"vl_table1", "vl_table2", "vl_table7", "strata_fp"};

std::vector<PlannedRun> Plan(const std::string& target, const std::string& preset) {
  TableContext ctx;
  ctx.preset = preset;
  StatusOr<Preset> loaded = LoadPreset(preset);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (loaded.ok()) ctx.preset_config = *loaded;
  const TableDef* def = FindTable(target);
  EXPECT_NE(def, nullptr) << target;
  EXPECT_TRUE(def->plan) << target;
  return def->plan(ctx);
}

TEST(PlansTest, SameRunNameMeansTheSameConfigAcrossEveryTable) {
  for (const char* preset : {"smoke", "quick", "full"}) {
    std::map<std::string, ExperimentConfig> by_name;
    std::vector<std::string> all(std::begin(kMine), std::end(kMine));
    all.insert(all.end(), std::begin(kOthers), std::end(kOthers));
    for (const std::string& t : all) {
      for (const PlannedRun& r : Plan(t, preset)) {
        auto [it, fresh] =
            by_name.emplace(r.config.name() + "@" + r.config.model().name(), r.config);
        EXPECT_TRUE(fresh || MessageDifferencer::Equals(it->second, r.config))
            << preset << ": " << t << " plans '" << r.config.name() << "' differently";
      }
    }
  }
}

TEST(PlansTest, DefaultAndCosineRunsAreVlTable2And7s) {
  auto find = [](const std::vector<PlannedRun>& plan, const std::string& id) {
    for (const PlannedRun& r : plan) {
      if (r.id == id) return r.config;
    }
    ADD_FAILURE() << "no run " << id;
    return ExperimentConfig();
  };
  const std::vector<PlannedRun> t2 = Plan("vl_table2", "full"), t7 = Plan("vl_table7", "full");
  const std::vector<PlannedRun> t3 = Plan("vl_table3", "full");
  EXPECT_TRUE(MessageDifferencer::Equals(find(t3, "resnet18_us"), find(t2, "onceqat")));
  EXPECT_TRUE(MessageDifferencer::Equals(find(t3, "resnet18_lsq_w2"), find(t2, "lsq_w2")));
  EXPECT_TRUE(
      MessageDifferencer::Equals(find(t3, "mobilenetv2_kd_cos"), find(t7, "mobilenetv2_comp")));
  // Every tag names its own recipe.
  std::set<std::string> recipes;
  for (const char* tag : {"us", "nocomp", "kd_cos", "kd_cos_nocomp", "kd_kl", "mgd", "bn_shared",
                          "bn_shared_affine", "perbit_ends"}) {
    EXPECT_TRUE(recipes.insert(catalog::OnceQatVariant(tag).SerializeAsString()).second) << tag;
  }
}

TEST(PlansTest, QuickPlansResNet18OnlyAndFewNewRuns) {
  std::set<std::string> others, mine;
  for (const char* t : kOthers) {
    for (const PlannedRun& r : Plan(t, "quick")) others.insert(r.config.SerializeAsString());
  }
  for (const char* t : kMine) {
    for (const PlannedRun& r : Plan(t, "quick")) {
      EXPECT_EQ(r.config.model().name(), "resnet18_cifar") << t << " " << r.id;
      if (!others.count(r.config.SerializeAsString())) mine.insert(r.config.name());
    }
  }
  // kd_cos, kd_kl, mgd, bn_shared, bn_shared_affine, perbit_ends: ~1-2 min each at quick.
  EXPECT_EQ(mine.size(), 6u);
  // full plans the paper's networks: Table 3 five, with FP, three LSQ and two once-QAT each.
  EXPECT_EQ(Plan("vl_table3", "full").size(), 5u * 6);
}

}  // namespace
}  // namespace reports
}  // namespace strata
