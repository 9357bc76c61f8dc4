// strata_fp: the FP accuracy of every model family the papers use, at the preset, next to
// the FP rows the papers print (ImageNet / CIFAR-100 numbers: labelled, not comparable one
// to one). Also the shared helpers of training tables (strata_tables.h).
#include <cmath>
#include <optional>

#include "reports/paper_numbers.h"
#include "reports/plot.h"
#include "reports/strata_tables.h"

namespace strata {
namespace reports {

std::string Wa(int bits) { return std::to_string(bits) + "/" + std::to_string(bits); }

Cell PaperCell(const PaperTable& t, const std::string& row, const std::string& column) {
  const PaperEntry* e = t.Find(row, column);
  if (e == nullptr || e->value.empty() || e->value == "-") return Null();
  return e->number ? Number(*e->number) : Text(e->value);
}

ExperimentConfig FmnistConfig(const std::string& model, double width) {
  ExperimentConfig c;
  c.set_name(model);
  c.mutable_model()->set_name(model);
  c.mutable_model()->set_width(width);
  c.mutable_train_data()->set_kind(datasets::DatasetConfig::FASHION_MNIST);
  c.mutable_train_data()->set_split(datasets::DatasetConfig::TRAIN);
  c.mutable_test_data()->set_kind(datasets::DatasetConfig::FASHION_MNIST);
  c.mutable_test_data()->set_split(datasets::DatasetConfig::TEST);
  c.set_augmentation(ExperimentConfig::CIFAR_STYLE);
  c.set_batch_size(128);
  c.set_epochs(15);
  OptimizerConfig* o = c.mutable_optimizer();
  o->set_lr(0.1);
  o->set_momentum(0.9);
  o->set_nesterov(true);
  o->set_weight_decay(5e-4);
  o->set_no_decay_on_bn(true);
  c.mutable_schedule()->set_kind(ScheduleConfig::COSINE);
  c.mutable_schedule()->set_warmup_epochs(1);
  c.set_seed(1);
  c.mutable_fp();
  return c;
}

namespace {

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

}  // namespace

SeedStats Top1Stats(const SeededRuns& runs) {
  std::vector<double> v;
  bool diverged = false;
  for (const RunRecord& r : runs.seeds) {
    v.push_back(r.result.final_test_top1());
    diverged |= r.result.diverged();
  }
  return Stats(v, diverged);
}

SeedStats EvalStats(const SeededRuns& runs, const std::string& eval) {
  std::vector<double> v;
  bool diverged = false;
  for (const RunRecord& r : runs.seeds) {
    double top1 = std::nan("");
    for (const EvalRecord& e : r.result.final_evals()) {
      if (e.name() == eval) top1 = e.top1();
    }
    v.push_back(top1);
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

void AddRunCells(const SeededRuns& runs, std::vector<std::pair<std::string, Cell>>* cells) {
  Cell digests, seeds;
  bool reused = true;
  for (const RunRecord& r : runs.seeds) {
    *digests.mutable_list_value()->add_values() = Text(r.result.param_digest());
    *seeds.mutable_list_value()->add_values() = Number(static_cast<double>(r.result.config().seed()));
    reused &= r.reused;
  }
  cells->emplace_back("digest", runs.seeds.empty() ? Null() : Text(runs.seeds[0].result.param_digest()));
  cells->emplace_back("digests", digests);
  cells->emplace_back("seeds", seeds);
  cells->emplace_back("from_cache", Cell(reused ? Text("yes") : Text("no")));
}

namespace {

struct Family {
  const char* model;
  double width;             // before the preset's multiplier
  const char* paper_table;  // reports/paper/<file>.csv holding an FP row, or null
  const char* paper_row;
  const char* paper_column;
};

// ImageNet-sized families run at a quarter of the preset's width so that every family
// costs about as much as ResNet-20 at the quick preset.
constexpr Family kFamilies[] = {
    {"resnet20", 1.0, nullptr, nullptr, nullptr},
    {"resnet18_cifar", 0.25, "vl_table3", "ResNet-18 | FP", "Top-1"},
    {"resnet34_cifar", 0.25, "vl_table3", "ResNet-34 | FP", "Top-1"},
    {"resnet50_cifar", 0.25, "vl_table3", "ResNet-50 | FP", "Top-1"},
    {"mobilenetv2_cifar", 0.25, "vl_table3", "MobileNetV2 | FP", "Top-1"},
    {"vgg16_bn", 0.25, "vl_table3", "VGG-16 BN | FP", "Top-1"},
    {"vgg16_bn_small5", 0.25, "edge_table7", "VGG-16 with 5 conv-layers", "float"},
    {"vgg16_bn_small8", 0.25, "edge_table7", "VGG-16 with 8 conv-layers", "float"},
};

}  // namespace

std::vector<PlannedRun> StrataFpPlan(const TableContext&) {
  std::vector<PlannedRun> plan;
  for (const Family& f : kFamilies) plan.push_back({f.model, FmnistConfig(f.model, f.width)});
  return plan;
}

StatusOr<TableReport> StrataFp(const TableContext& ctx) {
  const TableDef& def = *FindTable("strata_fp");
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(def, ctx));
  TableReport r = NewReport("strata_fp", ctx.preset, "strata", "FP accuracy of each model family");
  r.set_note("strata: Fashion-MNIST at the preset (ImageNet-sized families at 1/4 of the preset's "
             "width); paper: the FP rows the papers print, on ImageNet (vertical layering "
             "Table 3) and CIFAR-10 (edge computing Table 7) — other data, not comparable one "
             "to one.");
  for (const char* c : {"model", "width", "epochs", "steps", "batch", "strata_top1", "strata_top5",
                        "paper_top1", "paper_source", "parameters", "seconds"}) {
    r.add_columns(c);
  }
  Figure fig{"Test top-1 per epoch (" + ctx.preset + " preset)", "epoch", "test top-1 (%)"};
  bool all_learn = true;
  std::string evidence;
  for (size_t i = 0; i < runs.size(); ++i) {
    const Family& f = kFamilies[i];
    const RunResult& first = runs[i].seeds.at(0).result;
    const SeedStats top1 = Top1Stats(runs[i]);
    double top5 = 0;
    for (const RunRecord& s : runs[i].seeds) top5 += s.result.final_test_top5() / runs[i].seeds.size();
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
    std::vector<std::pair<std::string, Cell>> cells = {
        {"model", Text(f.model)},
        {"width", Number(first.config().model().width())},
        {"epochs", Number(first.config().epochs())},
        {"steps", Number(static_cast<double>(first.steps()))},
        {"batch", Number(first.config().batch_size())},
        {"strata_top1", StatCell(top1)},
        {"strata_top5", Number(top5)},
        {"paper_top1", paper ? Number(*paper) : Null()},
        {"paper_source", Text(source)},
        {"parameters", Number(static_cast<double>(first.num_parameters()))},
        {"seconds", Number(first.wall_seconds())},
    };
    AddRunCells(runs[i], &cells);
    AddRow(&r, cells);
    all_learn &= top1.mean > 50;
    evidence += std::string(i ? ", " : "") + f.model + " " + FormatCell(Number(top1.mean)) + " %";
    Series s{f.model, {}, {}, "linespoints"};
    for (const EpochRecord& e : first.epochs()) {
      s.x.push_back(e.epoch());
      s.y.push_back(e.test_top1());
    }
    fig.series.push_back(std::move(s));
  }
  AddClaim(&r, "strata_fp.every_family_learns",
           "every family learns Fashion-MNIST at this preset (test top-1 > 50 %, chance is 10 %)",
           ctx.preset == "smoke" ? std::nullopt : std::optional<bool>(all_learn), evidence);
  if (ctx.preset != "smoke") {
    STRATA_RETURN_IF_ERROR(RenderFigure(fig, ctx.out_dir + "/strata_fp"));
    r.add_figures("strata_fp.png");
    r.add_figures("strata_fp.svg");
  }
  return r;
}

}  // namespace reports
}  // namespace strata
