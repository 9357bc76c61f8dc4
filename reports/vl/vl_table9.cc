// vl_table9 (vertical layering, seed 001 Table 9): once-QAT without self-KD, with KL and
// with cosine self-KD (Eq. 11).
#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

vl::Ablation Table9() {
  vl::Ablation a;
  a.networks = {"ResNet-18", "ResNet-50"};
  a.schemes = {{"us", "w/o self-KD", "w/o"},
               {"kd_kl", "KL self-KD", "KL"},
               {"kd_cos", "cosine self-KD (CS)", "CS"}};
  a.top5 = false;  // the paper's Table 9 prints top-1 only
  a.note_extra =
      "Self-KD (Eq. 11): width b < 4 learns from width b + 1's detached softmax, "
      "1 - cos (CS) or KL(p_{b+1} || p_b).";
  return a;
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(auto stats, vl::AblationRows(Table9(), in, r));
  const std::vector<vl::Network> nets = vl::Networks(in.ctx, Table9().networks);
  AddClaim(r, vl::kCosineGeNone2Bit, vl::CosineGeNone2Bit(vl::Compare(nets, stats, 2, 0)),
           in.preset());
  AddClaim(r, vl::kKlNoBetter, vl::KlNoBetter(vl::Compare(nets, stats, 1, 0)), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable9() {
  return DefineTable(__FILE__,
                     {[](const TableContext& ctx) { return vl::AblationPlan(Table9(), ctx); },
                      Build,
                      "self-KD: none / KL / cosine",
                      "self-KD: none / KL / cosine",
                      {vl::kCosineGeNone2Bit, vl::kKlNoBetter}});
}

}  // namespace reports
}  // namespace strata
