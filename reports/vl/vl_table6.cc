// vl_table6 (vertical layering, seed 001 Table 6): once-QAT's per-width losses combined by
// unitary scalarization (US) or multiple gradient descent (MGD, Eq. 10).
#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

vl::Ablation Table6() {
  vl::Ablation a;
  a.networks = {"ResNet-18", "ResNet-34"};
  a.schemes = {{"us", "US (alpha = 1/3)", "Unitary Scalarization (US)"},
               {"mgd", "MGD (min-norm alpha, Frank-Wolfe)", "Multi-Gradient Descent (MGD)"}};
  a.note_extra =
      "MGD: Eq. 10 solved by Frank-Wolfe (250 iterations, tolerance 1e-5) every step; "
      "its alpha per epoch is in vl_fig7.";
  return a;
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(auto stats, vl::AblationRows(Table6(), in, r));
  const std::vector<vl::Network> nets = vl::Networks(in.ctx, Table6().networks);
  AddClaim(r, vl::kUsGeMgd, vl::UsGeMgd3And4Bit(vl::Compare(nets, stats, 0, 1)), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable6() {
  return DefineTable(__FILE__,
                     {[](const TableContext& ctx) { return vl::AblationPlan(Table6(), ctx); },
                      Build,
                      "US vs MGD",
                      "MOO optimizer: unitary scalarization vs multiple gradient descent",
                      {vl::kUsGeMgd}});
}

}  // namespace reports
}  // namespace strata
