// vl_table4 (vertical layering, seed 001 Table 4): once-QAT with one BN for every width,
// a shared affine with individual statistics, and individual BN, with the BN parameters
// each needs.
#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

using vl::Network;

const char* const kBnTags[] = {"bn_shared", "bn_shared_affine", "us"};
const moo::BnMode kBnModes[] = {moo::BnMode::kShared, moo::BnMode::kSharedAffine,
                                moo::BnMode::kIndividual};

// The BN values the three widths use together, beside the paper's counts.
Status BnCells(const Network& n, const vl::Scheme& s, const SeededRuns& run,
               const PaperTable& paper, Cells* cells) {
  int m = 0;
  while (kBnTags[m] != s.tag) ++m;
  StatusOr<OnceQatRun> loaded = LoadOnceQatRun(run.seeds.at(0).dir);
  if (!loaded.ok()) return loaded.status().Annotate("vl_table4 run " + run.id + ": ");
  const models::Network& net = *loaded->net;
  const int widths = loaded->recipe->options().num_widths();
  int64_t affine_in_net = 0;
  for (const models::Norm* norm : net.norms())
    affine_in_net += 2 * norm->variants() * norm->bn(0).weight.numel();
  const int64_t bn = moo::BnParameterCount(net, kBnModes[m], widths);
  const int64_t others = net.NumParameters() - affine_in_net;
  cells->emplace_back("strata BN values", Number(static_cast<double>(bn)));
  cells->emplace_back("strata BN ‰", Number(1000.0 * bn / static_cast<double>(others + bn)));
  const std::string row = n.paper + " | " + s.paper_row;
  cells->emplace_back("paper BN (M)", PaperCell(paper, row, "# of BN Parameters (M)"));
  cells->emplace_back("paper BN ‰", PaperCell(paper, row, "# of BN Parameters (‰)"));
  return Status::Ok();
}

vl::Ablation Table4() {
  vl::Ablation a;
  a.networks = {"ResNet-18", "ResNet-34"};
  a.schemes = {
      {"bn_shared", "shared BN", "Shared BN"},
      {"bn_shared_affine", "shared affine + individual statistics", "+ Individual Statistics"},
      {"us", "individual BN (default)", "++ Individual Weights"}};
  a.note_extra =
      "BN counts: γ, β, running mean and variance values the three widths use "
      "together, ‰ of all parameters (the paper's M column is 10x what its ‰ column "
      "implies, e.g. 0.19M vs 1.6‰ of ResNet-18's 11.7M; both printed as is).";
  a.extra_columns = {"strata BN values", "strata BN ‰", "paper BN (M)", "paper BN ‰"};
  a.extra = BnCells;
  return a;
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(auto stats, vl::AblationRows(Table4(), in, r));
  const std::vector<Network> nets = vl::Networks(in.ctx, Table4().networks);
  AddClaim(r, vl::kSharedBnCollapses, vl::SharedBnCollapses(vl::Compare(nets, stats, 0, 2)),
           in.preset());
  AddClaim(r, vl::kIndividualGeStatistics,
           vl::IndividualGeStatistics(vl::Compare(nets, stats, 2, 1)), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable4() {
  return DefineTable(__FILE__,
                     {[](const TableContext& ctx) { return vl::AblationPlan(Table4(), ctx); },
                      Build,
                      "BN variants",
                      "BN per width: shared / individual statistics / individual",
                      {vl::kSharedBnCollapses, vl::kIndividualGeStatistics}});
}

}  // namespace reports
}  // namespace strata
