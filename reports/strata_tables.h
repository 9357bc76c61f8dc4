// Tables beyond the papers (TABLES.md "strata_*") and what every training table shares:
// the Fashion-MNIST base config, statistics over seeds and run provenance in rows.
//
//   PlannedRun r{"resnet20", FmnistConfig("resnet20", 1.0)};
//   ... RunPlanned(def, ctx) ...
//   const SeedStats s = Top1Stats(runs[0]);       // mean ± std over the preset's seeds
//   AddRunCells(runs[0], &cells);                 // "digest", "digests", "seeds", "reused"
#ifndef STRATA_REPORTS_STRATA_TABLES_H_
#define STRATA_REPORTS_STRATA_TABLES_H_

#include <string>
#include <utility>
#include <vector>

#include "reports/paper_numbers.h"
#include "reports/table.h"

namespace strata {
namespace reports {

// FP training of `model` at `width` on Fashion-MNIST with the house recipe (SGD 0.1,
// Nesterov momentum 0.9, weight decay 5e-4 off BN/bias, cosine with a 1-epoch warm-up,
// CIFAR-style augmentation, batch 128, 15 epochs); presets rescale data, epochs, width.
ExperimentConfig FmnistConfig(const std::string& model, double width);

// LSQ QAT of `model` at `width` to W/A bits/bits (first/last FP) from the FP run
// FmnistConfig(model, width) (its `pretrained`): LR 0.1x FP's, cosine, no warm-up (seed 001
// Sec. 6). Tables plan LSQ rows with it so that identical runs hit the cache (vl_tables.cc).
ExperimentConfig LsqConfig(const std::string& model, double width, int bits);
// The same for the baselines of seed 001 Sec. 3.3 at 2..4 bits: ascending layers or co-training.
ExperimentConfig NestedConfig(const std::string& model, double width, bool cotrain);

// "b/b": a uniform W/A setting's label in the vertical-layering tables (evaluation points
// are moo::WidthName(b) = "w<b>a<b>").
std::string Wa(int bits);
// The paper's value at (row, column) as a cell: Null when missing or "-", else its number
// (or its text when it is not one).
Cell PaperCell(const PaperTable& t, const std::string& row, const std::string& column);

struct SeedStats {
  double mean = 0, std = 0;  // std: sample standard deviation (0 for one seed)
  int n = 0;
  bool any_diverged = false;
};
// Final test top-1 over the seeds (a diverged seed makes the mean NaN).
SeedStats Top1Stats(const SeededRuns& runs);
// The value of evaluation point `eval` (e.g. "w2a2") of each seed's last epoch.
SeedStats EvalStats(const SeededRuns& runs, const std::string& eval);
// mean, or "mean ± std" text when there are several seeds.
Cell StatCell(const SeedStats& s);
// "digest" (first seed), "digests" (all), "seeds", "reused" (all from the cache).
void AddRunCells(const SeededRuns& runs, std::vector<std::pair<std::string, Cell>>* cells);

StatusOr<TableReport> VlTable1(const TableContext& ctx);
std::vector<PlannedRun> VlTable1Plan(const TableContext& ctx);

StatusOr<TableReport> StrataFp(const TableContext& ctx);
std::vector<PlannedRun> StrataFpPlan(const TableContext& ctx);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_STRATA_TABLES_H_
