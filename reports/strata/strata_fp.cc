// strata_fp: the FP accuracy of every model family the papers use, at the preset, next to
// the FP rows the papers print (ImageNet / CIFAR-10 numbers: labelled, not comparable one to
// one).
#include <optional>

#include "reports/plot.h"
#include "reports/strata/claims.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

struct Family {
  const char* model;
  double width;             // before the preset's multiplier
  const char* paper_table;  // reports/paper/<file>.csv holding an FP row, or null
  const char* paper_row;
  const char* paper_column;
};

constexpr Family kFamilies[] = {
    {"resnet20", 1.0, nullptr, nullptr, nullptr},
    {"resnet18_cifar", catalog::kFamilyWidth, "vl_table3", "ResNet-18 | FP", "Top-1"},
    {"resnet34_cifar", catalog::kFamilyWidth, "vl_table3", "ResNet-34 | FP", "Top-1"},
    {"resnet50_cifar", catalog::kFamilyWidth, "vl_table3", "ResNet-50 | FP", "Top-1"},
    {"mobilenetv2_cifar", catalog::kFamilyWidth, "vl_table3", "MobileNetV2 | FP", "Top-1"},
    {"vgg16_bn", catalog::kFamilyWidth, "vl_table3", "VGG-16 BN | FP", "Top-1"},
    {"vgg16_bn_small5", catalog::kFamilyWidth, "edge_table7", "VGG-16 with 5 conv-layers", "float"},
    {"vgg16_bn_small8", catalog::kFamilyWidth, "edge_table7", "VGG-16 with 8 conv-layers", "float"},
};

std::vector<PlannedRun> Plan(const TableContext&) {
  std::vector<PlannedRun> plan;
  for (const Family& f : kFamilies) plan.push_back({f.model, catalog::Fp(f.model, f.width)});
  return plan;
}

// A family's row; its top-1 mean returned.
StatusOr<double> AddFamilyRow(const Family& f, const SeededRuns& runs, TableReport* r) {
  const RunResult& first = runs.seeds.at(0).result;
  const SeedStats top1 = Top1Stats(runs);
  std::optional<double> paper;
  std::string source;
  if (f.paper_table != nullptr) {
    STRATA_ASSIGN_OR_RETURN(PaperTable t,
                            LoadPaperTable(std::string("reports/paper/") + f.paper_table + ".csv"));
    if (const PaperEntry* e = t.Find(f.paper_row, f.paper_column)) {
      paper = e->number;
      source = e->table + " (" + e->paper + "), " + e->row;
    }
  }
  Cells cells = {
      {"model", Text(f.model)},
      {"width", Number(first.config().model().width())},
      {"epochs", Number(first.config().epochs())},
      {"steps", Number(static_cast<double>(first.steps()))},
      {"batch", Number(first.config().batch_size())},
      {"strata_top1", StatCell(top1)},
      {"strata_top5", Number(Top5Stats(runs).mean)},
      {"paper_top1", paper ? Number(*paper) : Null()},
      {"paper_source", Text(source)},
      {"parameters", Number(static_cast<double>(first.num_parameters()))},
      {"seconds", Number(first.wall_seconds())},
  };
  AddRunRow(r, cells, runs);
  return top1.mean;
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: Fashion-MNIST at the preset (ImageNet-sized families at 1/4 of the preset's "
      "width); paper: the FP rows the papers print, on ImageNet (vertical layering "
      "Table 3) and CIFAR-10 (edge computing Table 7) — other data, not comparable one "
      "to one.");
  for (const char* c : {"model", "width", "epochs", "steps", "batch", "strata_top1", "strata_top5",
                        "paper_top1", "paper_source", "parameters", "seconds"}) {
    r->add_columns(c);
  }
  Figure fig{"Test top-1 per epoch (" + in.ctx.preset + " preset)", "epoch", "test top-1 (%)"};
  std::vector<strata_tables::FamilyTop1> top1;
  for (size_t i = 0; i < in.runs.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(double mean, AddFamilyRow(kFamilies[i], in.runs[i], r));
    top1.push_back({kFamilies[i].model, mean});
    Series s{kFamilies[i].model, {}, {}, "linespoints"};
    for (const EpochRecord& e : in.runs[i].seeds.at(0).result.epochs()) {
      s.x.push_back(e.epoch());
      s.y.push_back(e.test_top1());
    }
    fig.series.push_back(std::move(s));
  }
  AddClaim(r, strata_tables::kEveryFamilyLearns, strata_tables::EveryFamilyLearns(top1),
           in.preset());
  if (in.preset().curve_figures()) {
    STRATA_RETURN_IF_ERROR(RenderFigure(fig, in.ctx.out_dir + "/strata_fp"));
    r->add_figures("strata_fp.png");
    r->add_figures("strata_fp.svg");
  }
  return Status::Ok();
}

}  // namespace

TableDef StrataFp() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "FP accuracy of each model family",
                                "FP accuracy of each model family",
                                {strata_tables::kEveryFamilyLearns}});
}

}  // namespace reports
}  // namespace strata
