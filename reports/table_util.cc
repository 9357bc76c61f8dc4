// Cells from runs (table_util.h).
#include "reports/table_util.h"

#include <cmath>
#include <cstdio>

namespace strata {
namespace reports {

SeedStats Stats(const std::vector<double>& v, bool diverged) {
  SeedStats s;
  s.n = static_cast<int>(v.size());
  s.any_diverged = diverged;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / (s.n - 1));
  }
  if (diverged) s.mean = std::nan("");
  return s;
}

namespace {

SeedStats Final(const SeededRuns& runs, bool top5) {
  std::vector<double> v;
  bool diverged = false;
  for (const RunRecord& r : runs.seeds) {
    v.push_back(top5 ? r.result.final_test_top5() : r.result.final_test_top1());
    diverged |= r.result.diverged();
  }
  return Stats(v, diverged);
}

}  // namespace

SeedStats Top1Stats(const SeededRuns& runs) { return Final(runs, false); }
SeedStats Top5Stats(const SeededRuns& runs) { return Final(runs, true); }

SeedStats EvalStats(const SeededRuns& runs, const std::string& eval, bool top5) {
  std::vector<double> v;
  bool diverged = false;
  for (const RunRecord& r : runs.seeds) {
    double top1 = std::nan(""), value = std::nan("");
    for (const EvalRecord& e : r.result.final_evals()) {
      if (e.name() == eval) top1 = e.top1(), value = top5 ? e.top5() : e.top1();
    }
    v.push_back(value);
    diverged |= r.result.diverged() || std::isnan(top1);
  }
  return Stats(v, diverged);
}

Cell StatCell(const SeedStats& s) {
  if (s.n <= 1 || std::isnan(s.mean)) return Number(s.mean);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f ± %.2f", s.mean, s.std);
  return Text(buf);
}

void AddRunCells(const SeededRuns& runs, Cells* cells) {
  Cell digests, seeds;
  bool reused = true;
  for (const RunRecord& r : runs.seeds) {
    *digests.mutable_list_value()->add_values() = Text(r.result.param_digest());
    *seeds.mutable_list_value()->add_values() =
        Number(static_cast<double>(r.result.config().seed()));
    reused &= r.reused;
  }
  cells->emplace_back("digest",
                      runs.seeds.empty() ? Null() : Text(runs.seeds[0].result.param_digest()));
  cells->emplace_back("digests", digests);
  cells->emplace_back("seeds", seeds);
  cells->emplace_back("from_cache", Cell(reused ? Text("yes") : Text("no")));
}

void AddRunRow(TableReport* report, Cells cells, const SeededRuns& runs) {
  AddRunCells(runs, &cells);
  AddRow(report, cells);
}

std::string Wa(int bits) { return std::to_string(bits) + "/" + std::to_string(bits); }

Cell PaperCell(const PaperTable& t, const std::string& row, const std::string& column) {
  const PaperEntry* e = t.Find(row, column);
  if (e == nullptr || e->value.empty() || e->value == "-") return Null();
  return e->number ? Number(*e->number) : Text(e->value);
}

std::string Pct(double v) { return FormatCell(Number(v)) + " %"; }

}  // namespace reports
}  // namespace strata
