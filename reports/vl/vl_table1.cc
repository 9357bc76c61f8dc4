// vl_table1 (vertical layering, seed 001 Table 1): per-bit LSQ vs ascending-layer training vs
// multi-layer co-training on ResNet-18 (CIFAR stem) at W/A 2/2, 3/3, 4/4, next to the
// paper's ImageNet numbers.
#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;

std::vector<PlannedRun> Plan(const TableContext&) {
  std::vector<PlannedRun> plan = {{"fp", catalog::Fp(catalog::kResNet18, catalog::kFamilyWidth)}};
  for (int b : kPaperWidths)
    plan.push_back(
        {"lsq_w" + std::to_string(b), catalog::Lsq(catalog::kResNet18, catalog::kFamilyWidth, b)});
  plan.push_back({"ascending", catalog::Ascending(catalog::kResNet18, catalog::kFamilyWidth)});
  plan.push_back({"cotrain", catalog::Cotrain(catalog::kResNet18, catalog::kFamilyWidth)});
  return plan;
}

struct Method {
  const char* name;
  const char* paper_row;
};
constexpr Method kMethods[] = {{"LSQ (per bit-width)", "LSQ"},
                               {"Ascending layer training", "Ascending layer training"},
                               {"Multi-layer co-training", "Multi-layer co-training"}};

// One method's row; its top-1 per width into *top1, whether a run diverged into *diverged.
void AddMethodRow(const TableInput& in, int m, vl::PerWidth* top1, bool* diverged, TableReport* r) {
  Cells cells = {{"method", Text(kMethods[m].name)}};
  const SeededRuns* first = nullptr;
  for (int k = 0; k < 3; ++k) {
    const std::string b = std::to_string(kPaperWidths[k]);
    first = &in.Run(m == 0 ? "lsq_w" + b : m == 1 ? "ascending" : "cotrain");
    const SeedStats s = m == 0 ? Top1Stats(*first) : EvalStats(*first, "w" + b + "a" + b);
    *diverged |= s.any_diverged;
    (*top1)[k] = s.mean;
    const std::string wa = Wa(kPaperWidths[k]);
    cells.emplace_back("strata " + wa, StatCell(s));
    cells.emplace_back("paper " + wa, PaperCell(in.paper, kMethods[m].paper_row, "Top-1 | " + wa));
  }
  cells.emplace_back("diverged", Text(*diverged ? "yes" : "no"));
  cells.emplace_back("epochs", Number(first->seeds.at(0).result.epochs_size()));
  if (m == 0) {
    for (int b : kPaperWidths) {
      cells.emplace_back(
          "digest_w" + std::to_string(b),
          Text(in.Run("lsq_w" + std::to_string(b)).seeds.at(0).result.param_digest()));
    }
  }
  AddRunRow(r, cells, *first);
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: ResNet-18 (CIFAR stem, 1/4 of the preset's width) on Fashion-MNIST, QAT "
      "from the FP run (LR 0.1x FP's, cosine); LSQ = one run per width; ascending = one "
      "run of three stages (LSQ at 2 bits, then enhance layers 3 and 4); co-training = "
      "one run, losses summed. paper: ImageNet ResNet-18 (seed 001 Table 1) — other "
      "data, not comparable one to one; the paper prints one NaN for co-training.");
  for (const char* c : {"method", "strata 2/2", "strata 3/3", "strata 4/4", "paper 2/2",
                        "paper 3/3", "paper 4/4", "diverged", "epochs"}) {
    r->add_columns(c);
  }
  vl::PerWidth top1[3];
  bool diverged[3] = {false, false, false};
  for (int m = 0; m < 3; ++m) AddMethodRow(in, m, &top1[m], &diverged[m], r);
  Cells fp = {{"method", Text("FP (the QAT runs' start)")},
              {"strata 2/2", StatCell(Top1Stats(in.Run("fp")))}};
  AddRunRow(r, fp, in.Run("fp"));
  AddClaim(r, vl::kAscendingBelowLsq, vl::AscendingBelowLsq(top1[0], top1[1]), in.preset());
  AddClaim(r, vl::kCotrainDiverges, vl::CotrainDiverges(diverged[2], top1[2], top1[0]),
           in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable1() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "LSQ vs ascending vs co-training",
                                "LSQ vs ascending-layer training vs multi-layer co-training",
                                {vl::kAscendingBelowLsq, vl::kCotrainDiverges}});
}

}  // namespace reports
}  // namespace strata
