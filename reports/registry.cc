// Every target of ../shared/docs/TABLES.md, in its order. An implemented table's definition
// lives in its own file (tables.h); the others are listed by name and what they will show,
// and `bazel run //reports` reports them as not implemented yet.
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

TableDef NotImplemented(const std::string& target, const std::string& paper, const std::string& dir,
                        const std::string& what) {
  TableDef t;
  t.target = target, t.paper = paper, t.dir = dir, t.what = what;
  return t;
}

TableDef Amed(const std::string& target, const std::string& what) {
  return NotImplemented(target, "AMED", "amed", what);
}

TableDef Edge(const std::string& target, const std::string& what) {
  return NotImplemented(target, "accurate edge computing", "edge", what);
}

}  // namespace

const std::vector<TableDef>& AllTables() {
  static const std::vector<TableDef> tables = {
      VlTable1(),
      VlTable2(),
      VlTable3(),
      VlTable4(),
      VlTable5(),
      VlTable6(),
      VlTable7(),
      VlTable8(),
      VlTable9(),
      VlFig5(),
      VlFig7(),
      VlFig8(),
      AmedTable1(),
      Amed("amed_table2", "SCALE-Sim config: accuracy, latency, size"),
      Amed("amed_table4", "beta x eta ablation"),
      Amed("amed_table5", "Eyeriss v1 config"),
      AmedTable6(),
      Amed("amed_fig_pareto", "accuracy vs latency, Pareto front"),
      Amed("amed_fig_bits", "per-layer bit allocations"),
      EdgeTable5(),
      EdgeTable6(),
      EdgeTable7(),
      Edge("edge_table1", "FCN segmentation: SA and NT quantized vs float"),
      Edge("edge_table2", "ensembles of 2-7 FCNs"),
      Edge("edge_table3", "SA and NT both quantized, best ensemble size"),
      Edge("edge_table4", "half-width FCN: float, 4, 8 bits"),
      Edge("edge_table8", "Deep Speech with CTC, INQ 2-9 bits vs float"),
      Edge("edge_table9", "ensembles of 2-7 Deep Speech networks"),
      Edge("edge_table10", "small Deep Speech: float, 4, 8 bits"),
      StrataFp(),
      StrataSpeed(),
      NotImplemented("strata_bits", "strata", "strata", "integer inference time per bit-width"),
      StrataHwsimValidation(),
  };
  return tables;
}

}  // namespace reports
}  // namespace strata
