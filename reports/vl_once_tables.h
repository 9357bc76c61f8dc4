// once-QAT tables of the vertical-layering paper (seed 001): vl_table2 (per-bit LSQ vs
// once-QAT, ResNet-18) and vl_table7 (with/without positive compensation, ResNet-18 and
// MobileNetV2), and the once-QAT run config other tables can reuse so identical runs hit
// the cache.
//
//   ExperimentConfig c = OnceQatConfig("resnet18_cifar", 0.25, {});   // US, compensation
#ifndef STRATA_REPORTS_VL_ONCE_TABLES_H_
#define STRATA_REPORTS_VL_ONCE_TABLES_H_

#include <string>
#include <vector>

#include "reports/table.h"

namespace strata {
namespace reports {

// once-QAT (2..4 bits) from the FP run of the same model and width (FmnistConfig), with the
// QAT hyper-parameters of vl_table1's LSQ runs (LR 0.1x FP's, cosine, no warm-up) and
// `recipe` as the once_qat message; `tag` names the variant ("us", "nocomp", ...).
ExperimentConfig OnceQatConfig(const std::string& model, double width, const std::string& tag,
                               const OnceQatRecipeConfig& recipe);

StatusOr<TableReport> VlTable2(const TableContext& ctx);
std::vector<PlannedRun> VlTable2Plan(const TableContext& ctx);
StatusOr<TableReport> VlTable7(const TableContext& ctx);
std::vector<PlannedRun> VlTable7Plan(const TableContext& ctx);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_VL_ONCE_TABLES_H_
