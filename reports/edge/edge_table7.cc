// edge_table7 (accurate edge computing, seed 004 Table 7): the shortened VGGs (5 and 8 conv
// layers) at float, 4 and 8 bits, with the full VGG-16-BN (edge_table5's runs) for contrast.
#include <algorithm>

#include "reports/edge/claims.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

struct SmallVgg {
  const char* model;
  const char* paper_row;  // null: not in the paper's Table 7
};
constexpr SmallVgg kSmall[] = {{"vgg16_bn_small5", "VGG-16 with 5 conv-layers"},
                               {"vgg16_bn_small8", "VGG-16 with 8 conv-layers"},
                               {"vgg16_bn", nullptr}};

// The models the preset plans (a preset may cut the sweep short: Sweeps).
std::vector<SmallVgg> Models(const Preset& preset) {
  const auto& cut = preset.sweeps().small_vggs();
  std::vector<SmallVgg> out;
  for (const SmallVgg& v : kSmall) {
    if (cut.empty() || std::find(cut.begin(), cut.end(), v.model) != cut.end()) out.push_back(v);
  }
  return out;
}

std::vector<PlannedRun> Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const SmallVgg& v : Models(ctx.preset_config)) {
    plan.push_back(catalog::EdgeRun(std::string(v.model) + "_float", catalog::EdgeFp(v.model)));
    for (int b : {4, 8}) {
      plan.push_back(catalog::EdgeRun(std::string(v.model) + "_inq" + std::to_string(b),
                                      catalog::EdgeInq(v.model, b)));
    }
  }
  return plan;
}

Cell PaperValue(const PaperTable& paper, const char* row, const char* column) {
  const PaperEntry* e = paper.Find(row, column);
  return e != nullptr && e->number ? Number(*e->number) : Null();
}

edge::SmallModel AddModelRows(const TableInput& in, const SmallVgg& v, TableReport* r) {
  const std::string m = v.model;
  const SeedStats f = Top1Stats(in.Run(m + "_float"));
  const SeedStats q4 = Top1Stats(in.Run(m + "_inq4"));
  const SeedStats q8 = Top1Stats(in.Run(m + "_inq8"));
  Cells cells = {
      {"model", Text(m)},
      {"source", Text("strata")},
      {"float", StatCell(f)},
      {"4 bit", StatCell(q4)},
      {"8 bit", StatCell(q8)},
      {"best_gain_vs_float", Number(std::max(q4.mean, q8.mean) - f.mean)},
      {"parameters",
       Number(static_cast<double>(in.Run(m + "_float").seeds.at(0).result.num_parameters()))}};
  AddRunRow(r, cells, in.Run(m + "_inq8"));
  if (v.paper_row != nullptr) {
    AddRow(r, {{"model", Text(m)},
               {"source", Text("paper (ImageNet)")},
               {"float", PaperValue(in.paper, v.paper_row, "float")},
               {"4 bit", PaperValue(in.paper, v.paper_row, "4 bit")},
               {"8 bit", PaperValue(in.paper, v.paper_row, "8 bit")}});
  }
  return {m, v.paper_row != nullptr, f.mean, q4.mean, q8.mean};
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: Fashion-MNIST at the preset; the full VGG-16-BN row (not in the paper's "
      "Table 7) is edge_table5's runs, for contrast. paper: ImageNet (seed 004 Table 7).");
  for (const char* c :
       {"model", "source", "float", "4 bit", "8 bit", "best_gain_vs_float", "parameters"}) {
    r->add_columns(c);
  }
  std::vector<edge::SmallModel> models;
  for (const SmallVgg& v : Models(in.preset())) models.push_back(AddModelRows(in, v, r));
  AddClaim(r, edge::kNoGainOnSmallModels, edge::NoGainOnSmallModels(models), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef EdgeTable7() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "small VGGs: float, 4, 8 bits",
                                "smaller VGGs (5 and 8 convs): float vs 4 vs 8 bits",
                                {edge::kNoGainOnSmallModels}});
}

}  // namespace reports
}  // namespace strata
