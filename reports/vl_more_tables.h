// once-QAT ablations of the vertical-layering paper (seed 001) on Fashion-MNIST, next to the
// paper's ImageNet numbers (labelled, not comparable one to one):
//
//   vl_table3  five networks: per-bit LSQ vs once-QAT without / with cosine self-KD, top-1/5
//   vl_table4  BN shared / shared affine + individual statistics / individual; BN counts
//   vl_table6  US vs MGD
//   vl_table8  shared FP first/last layers vs per-bit ones; extra parameters
//   vl_table9  self-KD none / KL / cosine
//   vl_fig7    (a) MGD's alpha per epoch, (b) per-width gradient norms (MGD), (c) 2-bit
//              activation quantization error of the last five quantized convs w/o and w. KD
//              (moo::ErrorProbe)
//
// Every run is OnceQatConfig / LsqConfig / FmnistConfig at 1/4 of the preset's width, so
// identical runs are shared with vl_table1/2/7 and strata_fp through the result cache.
// smoke and quick plan ResNet-18 only (the quick budget); full and paper plan every network
// the paper's table names (vlmore::WideNetworks).
#ifndef STRATA_REPORTS_VL_MORE_TABLES_H_
#define STRATA_REPORTS_VL_MORE_TABLES_H_

#include <string>
#include <vector>

#include "models/models.h"
#include "reports/table.h"

namespace strata {
namespace reports {

StatusOr<TableReport> VlTable3(const TableContext& ctx);
std::vector<PlannedRun> VlTable3Plan(const TableContext& ctx);
StatusOr<TableReport> VlTable4(const TableContext& ctx);
std::vector<PlannedRun> VlTable4Plan(const TableContext& ctx);
StatusOr<TableReport> VlTable6(const TableContext& ctx);
std::vector<PlannedRun> VlTable6Plan(const TableContext& ctx);
StatusOr<TableReport> VlTable8(const TableContext& ctx);
std::vector<PlannedRun> VlTable8Plan(const TableContext& ctx);
StatusOr<TableReport> VlTable9(const TableContext& ctx);
std::vector<PlannedRun> VlTable9Plan(const TableContext& ctx);
StatusOr<TableReport> VlFig7(const TableContext& ctx);
std::vector<PlannedRun> VlFig7Plan(const TableContext& ctx);

namespace vlmore {

// A network of the paper's tables and its CIFAR-stem model in strata.
struct Network {
  std::string id;     // run-id prefix: "resnet18"
  std::string model;  // models' name: "resnet18_cifar"
  std::string paper;  // the paper's row label: "ResNet-18"
};
const Network& ByPaperName(const std::string& paper);
// The preset plans the paper's networks (full, paper) or ResNet-18 alone (smoke, quick).
bool WideNetworks(const TableContext& ctx);
// The once-QAT variant a run tag names — "us" (the default), "kd_cos", "kd_kl", "mgd",
// "bn_shared", "bn_shared_affine", "perbit_ends" — in one place, so that every table
// planning a tag plans the identical config ("us" and "kd_cos" are vl_table2/7's too).
OnceQatRecipeConfig RecipeFor(const std::string& tag);
// {"<id>_<tag>", OnceQatConfig(model, 1/4, tag, RecipeFor(tag))}.
PlannedRun OnceRun(const Network& n, const std::string& tag);

}  // namespace vlmore
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_VL_MORE_TABLES_H_
