// vl_table2 (vertical layering, seed 001 Table 2): per-bit LSQ against one once-QAT model
// (exported to the vertical-layered file) on ResNet-18, beside the paper's CIFAR-100 numbers
// and the methods it cites.
#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;

std::vector<PlannedRun> Plan(const TableContext&) {
  std::vector<PlannedRun> plan;
  for (int b : kPaperWidths)
    plan.push_back(
        {"lsq_w" + std::to_string(b), catalog::Lsq(catalog::kResNet18, catalog::kFamilyWidth, b)});
  plan.push_back({"onceqat", catalog::OnceQat(catalog::kResNet18, catalog::kFamilyWidth, "us")});
  return plan;
}

// The once-QAT run exported to the model file (in memory): proof that every width is one
// nested model, and the bytes of each prefix.
vl::ExportFacts Export(const RunRecord& run) {
  vl::ExportFacts f;
  StatusOr<OnceQatRun> r = LoadOnceQatRun(run.dir);
  StatusOr<quant::VlModel> m =
      r.ok() ? ExportVlModel(r.value()) : StatusOr<quant::VlModel>(r.status());
  if (!m.ok()) {
    f.error = m.status().ToString();
    return f;
  }
  f.ok = true;
  f.prefix_bytes = quant::SectionSizes(m.value());
  return f;
}

void AddCitedRows(const PaperTable& paper, TableReport* r) {
  for (const char* row : {"LQ-Nets", "LQW", "DiffQ"}) {
    Cells cells = {{"method", Text(row)}};
    for (int b : kPaperWidths)
      cells.emplace_back("paper " + Wa(b), PaperCell(paper, row, "Top-1 | " + Wa(b)));
    cells.emplace_back("vertical-layered", PaperCell(paper, row, "Vertical-layered"));
    cells.emplace_back("cited", Text("yes (paper's numbers only)"));
    AddRow(r, cells);
  }
}

vl::PerWidth AddLsqRow(const TableInput& in, TableReport* r) {
  vl::PerWidth lsq;
  Cells cells = {{"method", Text("LSQ (per bit-width)")}};
  for (int k = 0; k < 3; ++k) {
    const std::string b = std::to_string(kPaperWidths[k]), wa = Wa(kPaperWidths[k]);
    const SeedStats s = Top1Stats(in.Run("lsq_w" + b));
    lsq[k] = s.mean;
    cells.emplace_back("strata " + wa, StatCell(s));
    cells.emplace_back("paper " + wa, PaperCell(in.paper, "LSQ", "Top-1 | " + wa));
    cells.emplace_back("digest_w" + b, Text(in.Run("lsq_w" + b).seeds.at(0).result.param_digest()));
  }
  cells.emplace_back("vertical-layered", Text("×"));
  AddRow(r, cells);
  return lsq;
}

vl::PerWidth AddOnceRow(const TableInput& in, const vl::ExportFacts& file, TableReport* r) {
  const SeededRuns& o = in.Run("onceqat");
  vl::PerWidth once;
  Cells cells = {{"method", Text("once-QAT (ours in the paper)")}};
  for (int k = 0; k < 3; ++k) {
    const std::string wa = Wa(kPaperWidths[k]);
    const SeedStats s = EvalStats(o, moo::WidthName(kPaperWidths[k]));
    once[k] = s.mean;
    cells.emplace_back("strata " + wa, StatCell(s));
    cells.emplace_back("paper " + wa, PaperCell(in.paper, "Ours", "Top-1 | " + wa));
  }
  cells.emplace_back("vertical-layered", Text(file.ok ? "✓" : "export failed"));
  for (size_t k = 0; k < file.prefix_bytes.size(); ++k) {
    cells.emplace_back("file bytes " + Wa(kPaperWidths[k]),
                       Number(static_cast<double>(file.prefix_bytes[k])));
  }
  AddRunRow(r, cells, o);
  return once;
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "strata: ResNet-18 (CIFAR stem, 1/4 of the preset's width) on Fashion-MNIST, QAT "
      "from the FP run (LR 0.1x FP's, cosine); LSQ = one run per width (vl_table1's "
      "runs); once-QAT = one run for 2/3/4 bits (US, compensation, no self-KD), exported "
      "to the vertical-layered file. paper: CIFAR-100 (seed 001 Table 2); rows marked "
      "cited are the paper's copies of other papers.");
  for (const char* c : {"method", "strata 2/2", "strata 3/3", "strata 4/4", "paper 2/2",
                        "paper 3/3", "paper 4/4", "vertical-layered", "cited"}) {
    r->add_columns(c);
  }
  AddCitedRows(in.paper, r);
  const vl::PerWidth lsq = AddLsqRow(in, r);
  const vl::ExportFacts file = Export(in.Run("onceqat").seeds.at(0));
  const vl::PerWidth once = AddOnceRow(in, file, r);
  AddClaim(r, vl::kTable2OnceQatNearLsq, vl::OnceQatNearLsq(once, lsq), in.preset());
  AddClaim(r, vl::kOnlyOnceQatVertical, vl::OnlyOnceQatVertical(file), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable2() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "ResNet-18: LSQ vs once-QAT",
                                "ResNet-18: cited methods, per-bit LSQ vs once-QAT",
                                {vl::kTable2OnceQatNearLsq, vl::kOnlyOnceQatVertical}});
}

}  // namespace reports
}  // namespace strata
