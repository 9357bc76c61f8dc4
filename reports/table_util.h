// What table files share to turn runs into cells: statistics over the preset's seeds,
// the cells every training row carries, and the papers' numbers as cells.
//
//   const SeedStats s = Top1Stats(in.Run("lsq_w2"));   // mean ± std over the seeds
//   Cells cells = {{"method", Text("LSQ")}, {"strata 2/2", StatCell(s)}};
//   AddRunRow(report, cells, in.Run("lsq_w2"));        // + digest, digests, seeds, from_cache
#ifndef STRATA_REPORTS_TABLE_UTIL_H_
#define STRATA_REPORTS_TABLE_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "reports/paper_numbers.h"
#include "reports/report_table.h"
#include "reports/runner.h"

namespace strata {
namespace reports {

using Cells = std::vector<std::pair<std::string, Cell>>;

// One planned run at the context's preset: a record per seed.
struct SeededRuns {
  std::string id;
  std::vector<RunRecord> seeds;
};

struct SeedStats {
  double mean = 0, std = 0;  // std: sample standard deviation (0 for one seed)
  int n = 0;
  bool any_diverged = false;
};
// Mean and std of `values` (NaN mean when `diverged`): the one formula every cell uses.
SeedStats Stats(const std::vector<double>& values, bool diverged);
// Final test top-1 / top-5 over the seeds (a diverged seed makes the mean NaN).
SeedStats Top1Stats(const SeededRuns& runs);
SeedStats Top5Stats(const SeededRuns& runs);
// Evaluation point `eval` (e.g. "w2a2") of each seed's last epoch: top-1, or top-5 when
// `top5`; a seed without that point counts as diverged.
SeedStats EvalStats(const SeededRuns& runs, const std::string& eval, bool top5 = false);
// mean, or "mean ± std" text when there are several seeds.
Cell StatCell(const SeedStats& s);
// "digest" (first seed), "digests" (all), "seeds", "from_cache" (all from the cache).
void AddRunCells(const SeededRuns& runs, Cells* cells);
// The row `cells` with the run cells of the run it comes from.
void AddRunRow(TableReport* report, Cells cells, const SeededRuns& runs);

// "b/b": a uniform W/A setting's label in the vertical-layering tables (evaluation points
// are moo::WidthName(b) = "w<b>a<b>").
std::string Wa(int bits);
// The paper's value at (row, column) as a cell: Null when missing or "-", else its number
// (or its text when it is not one).
Cell PaperCell(const PaperTable& t, const std::string& row, const std::string& column);
// "92.5 %" (FormatCell's digits).
std::string Pct(double v);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TABLE_UTIL_H_
