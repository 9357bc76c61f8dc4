// edge_table6 (accurate edge computing, seed 004 Table 6): ensembles of 1-7 VGG-16-BN
// members, float and 8-bit INQ: the mean of the members' softmax over the test set
// (moo/train/ensemble_eval.h). Member m of preset seed s is trained with seed
// s + 1000 (m - 1) (member 1 is edge_table5's run); an 8-bit member is INQ from the float
// member of the same seed.
#include "reports/edge/claims.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

constexpr char kModel[] = "vgg16_bn";
constexpr int kMaxMembers = 7;

int Members(const Preset& preset) {
  const int cut = preset.sweeps().ensemble_members();
  return cut > 0 ? cut : kMaxMembers;
}

std::vector<PlannedRun> Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (int m = 1; m <= Members(ctx.preset_config); ++m) {
    plan.push_back(catalog::EdgeRun("float_m" + std::to_string(m), catalog::EdgeFp(kModel, m)));
    plan.push_back(catalog::EdgeRun("inq8_m" + std::to_string(m), catalog::EdgeInq(kModel, 8, m)));
  }
  return plan;
}

struct Kind {
  const char* id;     // run-id prefix
  const char* label;  // the row's config
  const char* paper_row;
};
constexpr Kind kKinds[] = {{"float", "float", "VGG-16"}, {"inq8", "8 bits", "VGG-16 with 8 bits"}};

// The curve of one kind, averaged over the preset's seeds; its strata and paper rows.
StatusOr<edge::EnsembleCurve> AddKindRows(const TableInput& in, const Kind& kind, TableReport* r) {
  const int members = Members(in.preset());
  const size_t seeds = in.Run(std::string(kind.id) + "_m1").seeds.size();
  edge::EnsembleCurve curve{kind.label, std::vector<double>(members, 0.0)};
  SeededRuns all;
  for (size_t s = 0; s < seeds; ++s) {
    std::vector<moo::Member> group;
    for (int m = 1; m <= members; ++m) {
      const RunRecord& member = in.Run(std::string(kind.id) + "_m" + std::to_string(m)).seeds.at(s);
      group.push_back({member.dir, &member.result});
      all.seeds.push_back(member);
    }
    STRATA_ASSIGN_OR_RETURN(std::vector<double> c, moo::EnsembleCurve(group));
    for (int m = 0; m < members; ++m) curve.top1[m] += c[m] / seeds;
  }
  Cells cells = {{"config", Text(kind.label)}, {"source", Text("strata")}};
  for (int m = 0; m < members; ++m)
    cells.emplace_back("m" + std::to_string(m + 1), Number(curve.top1[m]));
  AddRunRow(r, cells, all);
  Cells paper = {{"config", Text(kind.label)}, {"source", Text("paper (ImageNet)")}};
  for (int m = 1; m <= members; ++m) {
    const PaperEntry* e = in.paper.Find(
        kind.paper_row, m == 1 ? "Original" : "parallel numbers | " + std::to_string(m));
    paper.emplace_back("m" + std::to_string(m),
                       e != nullptr && e->number ? Number(*e->number) : Null());
  }
  AddRow(r, paper);
  return curve;
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: mean of the members' softmax over the test set; member m trained with "
      "seed s + 1000(m-1) (s = the preset's seed; with several preset seeds, mean over "
      "them); 8-bit members are INQ runs from the float member. paper: ImageNet "
      "(seed 004 Table 6; its text's 8-bit '+1.95 % with 2 models' sits under '3').");
  r->add_columns("config");
  r->add_columns("source");
  for (int m = 1; m <= Members(in.preset()); ++m) r->add_columns("m" + std::to_string(m));
  std::vector<edge::EnsembleCurve> curves;
  for (const Kind& kind : kKinds) {
    STRATA_ASSIGN_OR_RETURN(edge::EnsembleCurve c, AddKindRows(in, kind, r));
    curves.push_back(std::move(c));
  }
  AddClaim(r, edge::kEnsemblesBeatOne, edge::EnsemblesBeatOne(curves), in.preset());
  AddClaim(r, edge::kBestAtMediumCount, edge::BestAtMediumCount(curves), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef EdgeTable6() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "ensembles, float and 8-bit",
                                "ensembles of VGG-16-BN (1-7 members), float and 8-bit INQ",
                                {edge::kEnsemblesBeatOne, edge::kBestAtMediumCount}});
}

}  // namespace reports
}  // namespace strata
