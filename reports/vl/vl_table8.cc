// vl_table8 (vertical layering, seed 001 Table 8): once-QAT with the FP first/last layers
// shared by every width or one per width, and the parameters the latter adds.
#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

Status ExtraParameters(const vl::Network& n, const vl::Scheme& s, const SeededRuns& run,
                       const PaperTable& paper, Cells* cells) {
  StatusOr<OnceQatRun> loaded = LoadOnceQatRun(run.seeds.at(0).dir);
  if (!loaded.ok()) return loaded.status().Annotate("vl_table8 run " + run.id + ": ");
  const int64_t extra = loaded->recipe->ExtraEndParameters();
  cells->emplace_back("strata extra parameters", Number(static_cast<double>(extra)));
  cells->emplace_back("strata extra %", Number(100.0 * extra / loaded->net->NumParameters()));
  const std::string row = n.paper + " | " + s.paper_row;
  cells->emplace_back("paper extra (M)", PaperCell(paper, row, "# of additional parameters (M)"));
  cells->emplace_back("paper extra %", PaperCell(paper, row, "# of additional parameters (%)"));
  return Status::Ok();
}

vl::Ablation Table8() {
  vl::Ablation a;
  a.networks = {"ResNet-18", "ResNet-50"};
  a.schemes = {{"us", "shared FP first/last layers (default)", "×"},
               {"perbit_ends", "per-bit FP first/last layers", "✓"}};
  a.note_extra =
      "Per-bit: widths 3 and 4 get their own FP first-conv and last-linear weights "
      "(width 2 keeps the network's; the classifier bias stays shared); extra = their "
      "values, % of the network's parameters.";
  a.extra_columns = {"strata extra parameters", "strata extra %", "paper extra (M)",
                     "paper extra %"};
  a.extra = ExtraParameters;
  return a;
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(auto stats, vl::AblationRows(Table8(), in, r));
  const std::vector<vl::Network> nets = vl::Networks(in.ctx, Table8().networks);
  AddClaim(r, vl::kPerBitEndsLittleGain, vl::PerBitEndsLittleGain(vl::Compare(nets, stats, 1, 0)),
           in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable8() {
  return DefineTable(__FILE__,
                     {[](const TableContext& ctx) { return vl::AblationPlan(Table8(), ctx); },
                      Build,
                      "shared vs per-bit first/last layers",
                      "shared vs per-bit full-precision first and last layers",
                      {vl::kPerBitEndsLittleGain}});
}

}  // namespace reports
}  // namespace strata
