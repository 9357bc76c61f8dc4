// The once-QAT ablation tables' shared machinery (ablation.h).
#include "reports/vl/ablation.h"

#include <cmath>

namespace strata {
namespace reports {
namespace vl {
namespace {

using catalog::kPaperWidths;

const std::vector<Network>& AllNetworks() {
  static const std::vector<Network> nets = {
      {"resnet18", "resnet18_cifar", "ResNet-18"},
      {"resnet34", "resnet34_cifar", "ResNet-34"},
      {"resnet50", "resnet50_cifar", "ResNet-50"},
      {"mobilenetv2", "mobilenetv2_cifar", "MobileNetV2"},
      {"vgg16", "vgg16_bn", "VGG-16 BN"},
  };
  return nets;
}

std::string NetworkList(const std::vector<Network>& nets) {
  std::string s;
  for (size_t i = 0; i < nets.size(); ++i) s += (i ? ", " : "") + nets[i].paper;
  return s;
}

}  // namespace

const Network& ByPaperName(const std::string& paper) {
  for (const Network& n : AllNetworks()) {
    if (n.paper == paper) return n;
  }
  CHECK(false) << "vl::ByPaperName: no network '" << paper << "'";
  return AllNetworks()[0];
}

std::vector<Network> Networks(const TableContext& ctx, const std::vector<std::string>& paper) {
  std::vector<Network> out;
  for (const std::string& p : paper) {
    if (ctx.preset_config.wide_networks() || p == "ResNet-18") out.push_back(ByPaperName(p));
  }
  return out;
}

PlannedRun OnceRun(const Network& n, const std::string& tag) {
  return {n.id + "_" + tag, catalog::OnceQat(n.model, catalog::kFamilyWidth, tag)};
}

WidthStats OnceStats(const SeededRuns& runs) {
  WidthStats w;
  for (int k = 0; k < 3; ++k) {
    w.top1[k] = EvalStats(runs, moo::WidthName(kPaperWidths[k]));
    w.top5[k] = EvalStats(runs, moo::WidthName(kPaperWidths[k]), /*top5=*/true);
  }
  return w;
}

void AddColumns(TableReport* r, const std::vector<std::string>& lead, bool top5,
                const std::vector<std::string>& tail) {
  for (const std::string& c : lead) r->add_columns(c);
  for (const char* m : {"top-1", "top-5"}) {
    if (std::string(m) == "top-5" && !top5) continue;
    for (int b : kPaperWidths) r->add_columns(std::string("strata ") + m + " " + Wa(b));
    for (int b : kPaperWidths) r->add_columns(std::string("paper ") + m + " " + Wa(b));
  }
  for (const std::string& c : tail) r->add_columns(c);
}

void AddPaperCells(const PaperTable& paper, const std::string& row, bool top5, Cells* cells) {
  for (int b : kPaperWidths) {
    cells->emplace_back("paper top-1 " + Wa(b), PaperCell(paper, row, "Top-1 | " + Wa(b)));
    if (top5)
      cells->emplace_back("paper top-5 " + Wa(b), PaperCell(paper, row, "Top-5 | " + Wa(b)));
  }
}

void AddWidthCells(const WidthStats& w, const PaperTable& paper, const std::string& row, bool top5,
                   Cells* cells) {
  for (int k = 0; k < 3; ++k) {
    cells->emplace_back("strata top-1 " + Wa(kPaperWidths[k]), StatCell(w.top1[k]));
    if (top5) cells->emplace_back("strata top-5 " + Wa(kPaperWidths[k]), StatCell(w.top5[k]));
  }
  AddPaperCells(paper, row, top5, cells);
}

std::string DataNote(const std::vector<Network>& nets, const TableContext& ctx) {
  return "strata: " + NetworkList(nets) +
         " (CIFAR stems, 1/4 of the preset's width) on "
         "Fashion-MNIST, once-QAT (2..4 bits, compensation, US unless said) from each network's "
         "FP run (LR 0.1x FP's, cosine). " +
         (ctx.preset_config.wide_networks()
              ? std::string("")
              : std::string("This preset plans ResNet-18 only (the quick budget); full plans "
                            "every network of the paper's table. ")) +
         "paper: ImageNet (seed 001) — other data and scale, not comparable one to one.";
}

std::vector<PlannedRun> AblationPlan(const Ablation& a, const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const Network& n : Networks(ctx, a.networks)) {
    for (const Scheme& s : a.schemes) plan.push_back(OnceRun(n, s.tag));
  }
  return plan;
}

StatusOr<std::vector<std::vector<WidthStats>>> AblationRows(const Ablation& a, const TableInput& in,
                                                            TableReport* r) {
  const std::vector<Network> nets = Networks(in.ctx, a.networks);
  r->set_note(DataNote(nets, in.ctx) + " " + a.note_extra);
  AddColumns(r, {"network", "scheme"}, a.top5, a.extra_columns);
  std::vector<std::vector<WidthStats>> stats;
  for (const Network& n : nets) {
    stats.emplace_back();
    for (const Scheme& s : a.schemes) {
      const SeededRuns& run = in.Run(n.id + "_" + s.tag);
      stats.back().push_back(OnceStats(run));
      Cells cells = {{"network", Text(n.paper)}, {"scheme", Text(s.label)}};
      AddWidthCells(stats.back().back(), in.paper, n.paper + " | " + s.paper_row, a.top5, &cells);
      if (a.extra) STRATA_RETURN_IF_ERROR(a.extra(n, s, run, in.paper, &cells));
      AddRunRow(r, cells, run);
    }
  }
  return stats;
}

std::vector<Versus> Compare(const std::vector<Network>& nets,
                            const std::vector<std::vector<WidthStats>>& stats, int a, int b) {
  std::vector<Versus> out;
  for (size_t i = 0; i < nets.size(); ++i) {
    out.push_back({nets[i].paper, stats[i][a].Top1(), stats[i][b].Top1()});
  }
  return out;
}

}  // namespace vl
}  // namespace reports
}  // namespace strata
