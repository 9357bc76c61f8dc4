// strata_hwsim_validation: hwsim against numbers SCALE-Sim v2 printed — HWSIM.md §6's worked
// layer under every config, and a directory of SCALE-Sim reports given with
// --reference=<dir> --topology=<csv> --config=<cfg file>.
#include <cstdlib>
#include <sstream>

#include "hwsim/hwsim.h"
#include "reports/runfiles.h"
#include "reports/strata/claims.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

constexpr char kWorkedExample[] = "reports/data/hwsim_worked_example.csv";
constexpr char kWorkedLayer[] =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\nlayer4.0.downsample,13,13,1,1,256,512,2,\n";

// "scalesim+ws": preset scalesim with dataflow ws.
StatusOr<hwsim::AcceleratorConfig> ExampleConfig(const std::string& name) {
  const size_t plus = name.find('+');
  hwsim::AcceleratorConfig cfg;
  const hwsim::Status s = hwsim::Preset(name.substr(0, plus), &cfg);
  if (!s.ok()) return InvalidArgumentError(std::string(kWorkedExample) + ": " + s.message());
  if (plus != std::string::npos) {
    const std::string df = name.substr(plus + 1);
    if (df == "ws")
      cfg.dataflow = hwsim::Dataflow::kWs;
    else if (df == "is")
      cfg.dataflow = hwsim::Dataflow::kIs;
    else
      return InvalidArgumentError(std::string(kWorkedExample) + ": config '" + name + "'");
  }
  return cfg;
}

std::vector<int64_t> Fields(const hwsim::LayerReport& r) {
  return {r.total_cycles,      r.stall_cycles,     r.sram_ifmap_reads,  r.sram_filter_reads,
          r.sram_ofmap_writes, r.dram_ifmap.words, r.dram_filter.words, r.dram_ofmap.words};
}

// Adds one row per (config, field) of the worked example; returns fields equal / total.
StatusOr<std::pair<int, int>> WorkedExample(TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(RunfilePath(kWorkedExample)));
  std::vector<hwsim::Layer> layer;
  const hwsim::Status ps = hwsim::ParseTopologyText(kWorkedLayer, "worked_example",
                                                    hwsim::TopologyFormat::kConv, &layer);
  CHECK(ps.ok()) << ps.message();
  // '#' lines hold the file's provenance; the rest is a header and one record per config.
  std::istringstream in(text);
  std::string data;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') data += line + "\n";
  }
  STRATA_ASSIGN_OR_RETURN(auto records, SplitCsv(data, kWorkedExample));
  if (records.empty()) return DataLossError(std::string(kWorkedExample) + ": no header line");
  const std::vector<std::string>& header = records[0];
  int equal = 0, total = 0;
  for (size_t i = 1; i < records.size(); ++i) {
    const std::vector<std::string>& cells = records[i];
    if (cells.size() != header.size()) {
      return DataLossError(std::string(kWorkedExample) + ": record " + std::to_string(i + 1) +
                           " has " + std::to_string(cells.size()) + " fields, header " +
                           std::to_string(header.size()));
    }
    STRATA_ASSIGN_OR_RETURN(hwsim::AcceleratorConfig cfg, ExampleConfig(cells[0]));
    const hwsim::LayerReport rep = hwsim::SimulateLayer(layer[0], cfg, hwsim::ScaleSimMemory(cfg));
    const std::vector<int64_t> ours = Fields(rep);
    for (size_t f = 1; f < cells.size() && f - 1 < ours.size(); ++f) {
      const int64_t want = std::atoll(cells[f].c_str());
      equal += want == ours[f - 1];
      ++total;
      AddRow(r, {{"check", Text("HWSIM.md §6 " + cells[0])},
                 {"field", Text(header[f])},
                 {"scalesim", Number(static_cast<double>(want))},
                 {"hwsim", Number(static_cast<double>(ours[f - 1]))},
                 {"equal", Text(want == ours[f - 1] ? "yes" : "no")}});
    }
  }
  return std::make_pair(equal, total);
}

// --reference=<dir>: hwsim on --topology under --config, diffed field by field against the
// SCALE-Sim reports in <dir>.
Status ReferenceDir(const TableContext& ctx, TableReport* r) {
  const auto get = [&](const char* k) {
    const auto it = ctx.flags.find(k);
    return it == ctx.flags.end() ? std::string() : it->second;
  };
  const std::string dir = UserPath(get("reference")), topo = UserPath(get("topology")),
                    cfg_path = UserPath(get("config"));
  if (topo.empty() || cfg_path.empty()) {
    return InvalidArgumentError("flag --reference needs --topology=<csv> and --config=<cfg>");
  }
  hwsim::AcceleratorConfig cfg;
  std::vector<hwsim::Layer> layers;
  hwsim::Status s = hwsim::ParseConfigFile(cfg_path, &cfg);
  if (s.ok()) s = hwsim::ParseTopologyFile(topo, hwsim::TopologyFormat::kAuto, &layers);
  hwsim::ReportComparison cmp;
  if (s.ok()) {
    const hwsim::NetworkResult net = hwsim::SimulateNetwork(cfg, layers, hwsim::SimOptions());
    s = hwsim::CompareWithReferenceDir(net.reports(), dir, &cmp);
  }
  if (!s.ok()) return InvalidArgumentError(s.message());
  AddRow(r, {{"check", Text("reference " + dir)},
             {"field", Text("all report fields")},
             {"scalesim", Number(static_cast<double>(cmp.fields_compared))},
             {"hwsim", Number(static_cast<double>(cmp.fields_equal))},
             {"equal",
              Text(cmp.fields_equal == cmp.fields_compared && cmp.layers_match ? "yes" : "no")}});
  AddClaim(r, strata_tables::kReferenceDir,
           strata_tables::ReferenceDir(cmp.layers_match, cmp.fields_equal, cmp.fields_compared,
                                       cmp.max_rel_diff),
           ctx.preset_config);
  return Status::Ok();
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(
      "scalesim: numbers SCALE-Sim v2 (22f88b1) printed, from HWSIM.md §6 "
      "(reports/data/hwsim_worked_example.csv) or from --reference=<dir>.");
  for (const char* c : {"check", "field", "scalesim", "hwsim", "equal"}) r->add_columns(c);
  STRATA_ASSIGN_OR_RETURN(auto counts, WorkedExample(r));
  AddClaim(r, strata_tables::kWorkedExample,
           strata_tables::WorkedExample(counts.first, counts.second), in.preset());
  if (in.ctx.flags.count("reference")) STRATA_RETURN_IF_ERROR(ReferenceDir(in.ctx, r));
  return Status::Ok();
}

}  // namespace

TableDef StrataHwsimValidation() {
  // reference_dir is reported only with --reference=<dir>.
  return DefineTable(__FILE__, {nullptr,
                                Build,
                                "hwsim vs SCALE-Sim v2",
                                "hwsim vs SCALE-Sim v2 reference numbers",
                                {strata_tables::kWorkedExample},
                                {"reference", "topology", "config"}});
}

}  // namespace reports
}  // namespace strata
