// Vertical layering (seed 001): vl_table5 (scalable-bit-width schemes on ResNet-50 with their
// weight storage), vl_fig5 (weight histograms: per-bit LSQ, QAT + plain downsampling,
// once-QAT) and vl_fig8 (mixed precision from one once-QAT model, Eq. 12), and the run
// configs of the Table 5 baselines for other tables.
//
//   ExperimentConfig c = QatFinetuneConfig("resnet50_cifar", 0.125);  // from the FP run
#ifndef STRATA_REPORTS_VL_FIG_TABLES_H_
#define STRATA_REPORTS_VL_FIG_TABLES_H_

#include <string>
#include <vector>

#include "reports/table.h"

namespace strata {
namespace reports {

// QAT + fine-tune / AdaBits-style at 2..4 bits from the FP run FmnistConfig(model, width),
// with the LSQ runs' QAT hyper-parameters (LsqConfig: LR 0.1x FP's, cosine, no warm-up).
ExperimentConfig QatFinetuneConfig(const std::string& model, double width);
ExperimentConfig AdabitsConfig(const std::string& model, double width);

StatusOr<TableReport> VlTable5(const TableContext& ctx);
std::vector<PlannedRun> VlTable5Plan(const TableContext& ctx);
// --layer=<name>: the layer whose weights are shown (default layer2.1.conv1).
StatusOr<TableReport> VlFig5(const TableContext& ctx);
std::vector<PlannedRun> VlFig5Plan(const TableContext& ctx);
// --bn_images=<n>: training images for the BN re-estimation (default 2000).
StatusOr<TableReport> VlFig8(const TableContext& ctx);
std::vector<PlannedRun> VlFig8Plan(const TableContext& ctx);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_VL_FIG_TABLES_H_
