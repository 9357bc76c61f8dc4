// vl_table7 (vertical layering, seed 001 Table 7): once-QAT with and without positive
// compensation (Eq. 6) on ResNet-18 and MobileNetV2, beside the paper's ImageNet numbers.
#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;
constexpr double kWidth = catalog::kFamilyWidth;

// MobileNetV2's Table 7 row "w. compensation" repeats Table 3's "w. self-KD": both of its
// runs use cosine self-KD; ResNet-18's repeats "w/o self-KD".
std::vector<PlannedRun> Plan(const TableContext&) {
  return {
      {"resnet18_comp", catalog::OnceQat(catalog::kResNet18, kWidth, "us")},
      {"resnet18_nocomp", catalog::OnceQat(catalog::kResNet18, kWidth, "nocomp")},
      {"mobilenetv2_comp", catalog::OnceQat("mobilenetv2_cifar", kWidth, "kd_cos")},
      {"mobilenetv2_nocomp", catalog::OnceQat("mobilenetv2_cifar", kWidth, "kd_cos_nocomp")},
  };
}

struct Model {
  const char* id;
  const char* paper;
  const ClaimSpec* raises;
  const ClaimSpec* none_worse;
};
const Model kModels[] = {
    {"resnet18", "ResNet-18", &vl::kResNet18CompensationRaises2Bit,
     &vl::kResNet18CompensationNoneWorse},
    {"mobilenetv2", "MobileNetV2", &vl::kMobileNetV2CompensationRaises2Bit,
     &vl::kMobileNetV2CompensationNoneWorse},
};

vl::PerWidth AddSchemeRow(const TableInput& in, const Model& m, bool with, TableReport* r) {
  const char* scheme = with ? "w. compensation" : "w/o compensation";
  const SeededRuns& run = in.Run(std::string(m.id) + (with ? "_comp" : "_nocomp"));
  const std::string row = std::string(m.paper) + " | " + scheme;
  Cells cells = {{"model", Text(m.paper)}, {"scheme", Text(scheme)}};
  vl::PerWidth top1;
  for (int k = 0; k < 3; ++k) {
    const SeedStats st = EvalStats(run, moo::WidthName(kPaperWidths[k]));
    top1[k] = st.mean;
    cells.emplace_back("strata " + Wa(kPaperWidths[k]), StatCell(st));
    cells.emplace_back("paper " + Wa(kPaperWidths[k]),
                       PaperCell(in.paper, row, "Top-1 | " + Wa(kPaperWidths[k])));
  }
  AddRunRow(r, cells, run);
  return top1;
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: once-QAT (2..4 bits, US) on Fashion-MNIST, ResNet-18 and MobileNetV2 "
      "(CIFAR stems, 1/4 of the preset's width) from their FP runs; w/o compensation "
      "sets z_b = 0 in Eq. 6. MobileNetV2 runs use cosine self-KD, since the paper's "
      "MobileNetV2 row repeats Table 3's 'w. self-KD' numbers (ResNet-18's: 'w/o "
      "self-KD'). paper: ImageNet (seed 001 Table 7) — not comparable one to one.");
  for (const char* c : {"model", "scheme", "strata 2/2", "strata 3/3", "strata 4/4", "paper 2/2",
                        "paper 3/3", "paper 4/4"}) {
    r->add_columns(c);
  }
  vl::PerWidth with[2], without[2];
  for (int m = 0; m < 2; ++m) {
    with[m] = AddSchemeRow(in, kModels[m], true, r);
    without[m] = AddSchemeRow(in, kModels[m], false, r);
  }
  for (int m = 0; m < 2; ++m) {
    AddClaim(r, *kModels[m].raises, vl::CompensationRaises2Bit(with[m], without[m]), in.preset());
    AddClaim(r, *kModels[m].none_worse, vl::CompensationNoneWorse(with[m], without[m]),
             in.preset());
  }
  return Status::Ok();
}

}  // namespace

TableDef VlTable7() {
  return DefineTable(
      __FILE__, {Plan,
                 Build,
                 "positive compensation",
                 "once-QAT with and without positive compensation",
                 {vl::kResNet18CompensationRaises2Bit, vl::kResNet18CompensationNoneWorse,
                  vl::kMobileNetV2CompensationRaises2Bit, vl::kMobileNetV2CompensationNoneWorse}});
}

}  // namespace reports
}  // namespace strata
