// vl_table5 (vertical layering, seed 001 Table 5): scalable-bit-width schemes on ResNet-50
// (ascending, QAT + fine-tune, AdaBits-style, once-QAT w/o and w. self-KD) with the weight
// storage each needs to serve 2, 3 and 4 bits, beside the paper's ImageNet numbers.
#include <cmath>

#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;
constexpr double kWidth = catalog::kResNet50SchemesWidth;

std::vector<PlannedRun> Plan(const TableContext&) {
  return {{"fp", catalog::Fp(catalog::kResNet50, kWidth)},
          {"ascending", catalog::Ascending(catalog::kResNet50, kWidth)},
          {"qat_ft", catalog::QatFinetune(catalog::kResNet50, kWidth)},
          {"adabits", catalog::Adabits(catalog::kResNet50, kWidth)},
          {"onceqat", catalog::OnceQat(catalog::kResNet50, kWidth, "us")},
          {"onceqat_kd", catalog::OnceQat(catalog::kResNet50, kWidth, "kd_cos")}};
}

struct Row {
  const char* name;
  const char* paper_row;  // "" when the paper has none
  const char* run;        // the planned run, "" for storage only
  moo::WeightStorage storage;
  bool vertical;
};
// vl::Table5Scheme's order, then per-bit LSQ's storage.
constexpr Row kRows[] = {
    {"Ascending layer", "Ascending layer", "ascending", moo::WeightStorage::kVertical, true},
    {"QAT + fine-tuning", "QAT + fine-tuning", "qat_ft", moo::WeightStorage::kVertical, true},
    {"AdaBits-style (ours)", "Adabits", "adabits", moo::WeightStorage::kFpWeights, false},
    {"once-QAT (w/o self-KD)", "Ours (w/o self-KD)", "onceqat", moo::WeightStorage::kVertical,
     true},
    {"once-QAT (w. self-KD)", "Ours (w. self-KD)", "onceqat_kd", moo::WeightStorage::kVertical,
     true},
    {"per-bit LSQ (storage only, not trained here)", "", "", moo::WeightStorage::kPerBit, false},
};
static_assert(std::size(kRows) == vl::kTable5Schemes + 1, "a row per scheme, then per-bit LSQ");

const std::vector<int> kWidths(std::begin(kPaperWidths), std::end(kPaperWidths));

// Storage of the paper's own ResNet-50 (ImageNet stem, 1000 classes) by the same formula.
StatusOr<std::pair<int64_t, int64_t>> PaperResNet50Bits() {
  models::ModelSpec spec;
  spec.name = "resnet50", spec.in_channels = 3, spec.num_classes = 1000, spec.input_size = 224;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, models::Build(spec));
  return std::pair(moo::WeightStorageBits(*net, moo::WeightStorage::kVertical, kWidths),
                   moo::WeightStorageBits(*net, moo::WeightStorage::kFpWeights, kWidths));
}

// One scheme's row; its top-1 per width into *top1 (when it was trained).
int64_t AddSchemeRow(const TableInput& in, const Row& row, const models::Network& arch,
                     vl::PerWidth* top1, TableReport* r) {
  const int64_t bits = moo::WeightStorageBits(arch, row.storage, kWidths);
  Cells cells = {{"method", Text(row.name)},
                 {"strata weight size (bits)", Number(static_cast<double>(bits))},
                 {"vertical-layered", Text(row.vertical ? "✓" : "×")}};
  if (*row.paper_row) {
    cells.emplace_back("paper weight size (Mbit)",
                       PaperCell(in.paper, row.paper_row, "Weight size (bits)"));
    const PaperEntry* e = in.paper.Find(row.paper_row, "Top-1 | 2/2");
    cells.emplace_back("cited",
                       Text(e != nullptr && e->cited ? "yes (paper's copy of AdaBits)" : "no"));
  }
  for (int k = 0; k < 3 && *row.run; ++k) {
    const SeedStats s = EvalStats(in.Run(row.run), moo::WidthName(kPaperWidths[k]));
    (*top1)[k] = s.mean;
    cells.emplace_back("strata " + Wa(kPaperWidths[k]), StatCell(s));
    if (*row.paper_row) {
      cells.emplace_back("paper " + Wa(kPaperWidths[k]),
                         PaperCell(in.paper, row.paper_row, "Top-1 | " + Wa(kPaperWidths[k])));
    }
  }
  if (*row.run) {
    AddRunRow(r, cells, in.Run(row.run));
  } else {
    AddRow(r, cells);  // storage only
  }
  return bits;
}

constexpr char kNote[] =
    "strata: ResNet-50 (CIFAR stem, 1/8 of the preset's width) on Fashion-MNIST, every scheme "
    "from the same FP run with LSQ's QAT hyper-parameters (LR 0.1x FP's, cosine). Ascending = "
    "3 stages; QAT + fine-tuning = LSQ at 4 bits (stage 1), then the 2/3-bit weights by plain "
    "floor-downsampling of its codes with only their BN and activation steps fine-tuned "
    "(stage 2); AdaBits-style = shared FP weights, own LSQ steps and BN per width, losses "
    "summed (our implementation; the paper cites AdaBits' own numbers, marked cited); "
    "once-QAT = US, compensation, w/o or w. cosine self-KD. Weight size = bits of the "
    "conv/linear weights the scheme must store to serve 2, 3 and 4 bits: N-bit codes once "
    "(vertical-layered) + the FP first/last layers at 32 bits; per-bit LSQ = one model per "
    "width; AdaBits = all weights at 32 bits. paper: ImageNet (seed 001 Table 5).";

Status Build(const TableInput& in, TableReport* r) {
  // The architecture every run shares, rebuilt from the once-QAT run.
  STRATA_ASSIGN_OR_RETURN(OnceQatRun arch, LoadOnceQatRun(in.Run("onceqat").seeds.at(0).dir));
  STRATA_ASSIGN_OR_RETURN(auto paper_bits, PaperResNet50Bits());
  r->set_note(kNote);
  for (const char* c : {"method", "strata weight size (bits)", "paper weight size (Mbit)",
                        "strata 2/2", "strata 3/3", "strata 4/4", "paper 2/2", "paper 3/3",
                        "paper 4/4", "vertical-layered", "cited"}) {
    r->add_columns(c);
  }
  vl::Table5Top1 top1;
  int64_t bits[std::size(kRows)];
  for (size_t i = 0; i < std::size(kRows); ++i) {
    vl::PerWidth unused;
    bits[i] = AddSchemeRow(in, kRows[i], *arch.net, i < vl::kTable5Schemes ? &top1[i] : &unused, r);
  }
  Cells fp = {
      {"method", Text("FP (every run's start)")},
      {"strata weight size (bits)", Number(static_cast<double>(moo::WeightStorageBits(
                                        *arch.net, moo::WeightStorage::kFpWeights, kWidths)))},
      {"strata 4/4", StatCell(Top1Stats(in.Run("fp")))}};
  AddRunRow(r, fp, in.Run("fp"));
  AddClaim(r, vl::kQatFtCollapsesAt2Bit, vl::QatFtCollapsesAt2Bit(top1), in.preset());
  AddClaim(r, vl::kOnceQatNearBest, vl::OnceQatNearBest(top1), in.preset());
  const vl::StorageBits storage{bits[vl::kAdabits], bits[vl::kOnceQat], paper_bits.second,
                                paper_bits.first};
  AddClaim(r, vl::kAdabitsFpStorage, vl::AdabitsFpStorage(storage), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable5() {
  return DefineTable(__FILE__,
                     {Plan,
                      Build,
                      "ResNet-50 baselines, weight size",
                      "scalable bit-width schemes on ResNet-50, weight size",
                      {vl::kQatFtCollapsesAt2Bit, vl::kOnceQatNearBest, vl::kAdabitsFpStorage}});
}

}  // namespace reports
}  // namespace strata
