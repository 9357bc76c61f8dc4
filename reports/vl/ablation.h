// What the once-QAT ablation tables of seed 001 share (vl_table3, 4, 6, 8, 9, vl_fig7): the
// paper's networks and their strata models, the preset's choice of networks, once-QAT runs
// by variant tag, per-width statistics, and an Ablation — variants (schemes) per network,
// one row each.
//
//   Ablation a;  a.target = "vl_table6";  a.networks = {"ResNet-18", "ResNet-34"};
//   a.schemes = {{"us", "US", "Unitary Scalarization (US)"}, {"mgd", "MGD", "..."}};
//   t.plan = [](const TableContext& ctx) { return AblationPlan(Table6(), ctx); };
//   STRATA_ASSIGN_OR_RETURN(auto stats, AblationRows(Table6(), in, report));  // [net][scheme]
#ifndef STRATA_REPORTS_VL_ABLATION_H_
#define STRATA_REPORTS_VL_ABLATION_H_

#include <functional>
#include <string>
#include <vector>

#include "reports/table.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace vl {

// A network of the paper's tables and its CIFAR-stem model in strata.
struct Network {
  std::string id;     // run-id prefix: "resnet18"
  std::string model;  // models' name: "resnet18_cifar"
  std::string paper;  // the paper's row label: "ResNet-18"
};
const Network& ByPaperName(const std::string& paper);
// The networks of `paper` (the paper's labels) the preset plans: all of them when it plans
// wide networks (Preset::wide_networks), else ResNet-18 alone (the quick budget).
std::vector<Network> Networks(const TableContext& ctx, const std::vector<std::string>& paper);
// {"<id>_<tag>", catalog::OnceQat(model, kFamilyWidth, tag)}.
PlannedRun OnceRun(const Network& n, const std::string& tag);

// Top-1 / top-5 per width (catalog::kPaperWidths order) over the seeds.
struct WidthStats {
  SeedStats top1[3], top5[3];
  PerWidth Top1() const { return {top1[0].mean, top1[1].mean, top1[2].mean}; }
};
// A once-QAT run: its evaluation points "w<b>a<b>".
WidthStats OnceStats(const SeededRuns& runs);

// "strata top-1 2/2" .. "paper top-5 4/4" (top-5 when asked) between lead and tail.
void AddColumns(TableReport* r, const std::vector<std::string>& lead, bool top5,
                const std::vector<std::string>& tail);
// The paper's cells of `row` and strata's, per width.
void AddPaperCells(const PaperTable& paper, const std::string& row, bool top5, Cells* cells);
void AddWidthCells(const WidthStats& w, const PaperTable& paper, const std::string& row, bool top5,
                   Cells* cells);
// The note's data sentence for the planned networks.
std::string DataNote(const std::vector<Network>& nets, const TableContext& ctx);

// Once-QAT variants (schemes) per network, one row each.
struct Scheme {
  std::string tag, label, paper_row;  // paper_row: after "<network> | "
};
using ExtraCells = std::function<Status(const Network&, const Scheme&, const SeededRuns&,
                                        const PaperTable&, Cells*)>;
struct Ablation {
  std::string note_extra;
  std::vector<std::string> networks;  // the paper's, in its order
  std::vector<Scheme> schemes;
  bool top5 = true;
  std::vector<std::string> extra_columns;
  ExtraCells extra;  // may be empty
};
std::vector<PlannedRun> AblationPlan(const Ablation& a, const TableContext& ctx);
// The rows of the planned networks into *r (with the note and columns); stats[network][scheme].
StatusOr<std::vector<std::vector<WidthStats>>> AblationRows(const Ablation& a, const TableInput& in,
                                                            TableReport* r);
// One Versus per planned network: scheme `a` against scheme `b` (indices into schemes).
std::vector<Versus> Compare(const std::vector<Network>& nets,
                            const std::vector<std::vector<WidthStats>>& stats, int a, int b);

}  // namespace vl
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_VL_ABLATION_H_
