#include "hwsim/reports.h"

#include <cmath>
#include <sstream>

#include "hwsim/pyfloat.h"
#include "hwsim/text_util.h"

namespace strata::hwsim {

const char* const kComputeReportName = "COMPUTE_REPORT.csv";
const char* const kBandwidthReportName = "BANDWIDTH_REPORT.csv";
const char* const kDetailedReportName = "DETAILED_ACCESS_REPORT.csv";

namespace {

std::string Cycle(int64_t c) { return PyFloat(static_cast<double>(c)); }  // numpy float64

double Ratio(int64_t a, int64_t b) { return static_cast<double>(a) / static_cast<double>(b); }

double DramBw(const DramStats& d) { return Ratio(d.words, d.stop - d.start + 1); }  // §5.5

std::string Rows(const std::vector<LayerReport>& layers, const std::string& header,
                 std::vector<std::string> (*fields)(const LayerReport&)) {
  std::string out = header;
  for (size_t i = 0; i < layers.size(); ++i) {
    out += std::to_string(i);
    for (const std::string& f : fields(layers[i])) out += ", " + f;
    out += ",\n";
  }
  return out;
}

std::vector<std::string> ComputeFields(const LayerReport& r) {
  return {std::to_string(r.total_cycles), std::to_string(r.stall_cycles),
          PyFloat(r.overall_util_pct), PyFloat(r.mapping_eff_pct), PyFloat(r.compute_util_pct)};
}

std::vector<std::string> BandwidthFields(const LayerReport& r) {
  return {PyFloat(Ratio(r.sram_ifmap_reads, r.total_cycles)),
          PyFloat(Ratio(r.sram_filter_reads, r.total_cycles)),
          PyFloat(Ratio(r.sram_ofmap_writes, r.total_cycles)),
          PyFloat(DramBw(r.dram_ifmap)),
          PyFloat(DramBw(r.dram_filter)),
          PyFloat(DramBw(r.dram_ofmap))};
}

std::vector<std::string> DetailedFields(const LayerReport& r) {
  return {
      Cycle(r.sram_ifmap_start),  Cycle(r.sram_ifmap_stop),  std::to_string(r.sram_ifmap_reads),
      Cycle(r.sram_filter_start), Cycle(r.sram_filter_stop), std::to_string(r.sram_filter_reads),
      Cycle(r.sram_ofmap_start),  Cycle(r.sram_ofmap_stop),  std::to_string(r.sram_ofmap_writes),
      Cycle(r.dram_ifmap.start),  Cycle(r.dram_ifmap.stop),  std::to_string(r.dram_ifmap.words),
      Cycle(r.dram_filter.start), Cycle(r.dram_filter.stop), std::to_string(r.dram_filter.words),
      Cycle(r.dram_ofmap.start),  Cycle(r.dram_ofmap.stop),  std::to_string(r.dram_ofmap.words)};
}

// Columns are matched by name, so a reference with extra columns (later SCALE-Sim versions
// append PE action counts to DETAILED_ACCESS_REPORT) still compares.
void CompareTables(const std::string& name, const CsvTable& ours, const CsvTable& ref,
                   ReportComparison* c) {
  if (ours.rows.size() != ref.rows.size()) c->layers_match = false;
  std::vector<int> ref_col(ours.header.size(), -1);
  for (size_t j = 0; j < ours.header.size(); ++j) {
    for (size_t r = 0; r < ref.header.size(); ++r) {
      if (ref.header[r] == ours.header[j]) ref_col[j] = static_cast<int>(r);
    }
  }
  const size_t rows = std::min(ours.rows.size(), ref.rows.size());
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 1; j < ours.header.size(); ++j) {
      FieldDiff d{name, static_cast<int64_t>(i), ours.header[j], ours.rows[i][j], "", 0};
      if (ref_col[j] >= 0) d.reference = ref.rows[i][static_cast<size_t>(ref_col[j])];
      ++c->fields_compared;
      double a = 0, b = 0;
      if (d.reference.empty() || !ParseDouble(d.ours, &a) || !ParseDouble(d.reference, &b)) {
        d.rel_diff = HUGE_VAL;
      } else {
        d.rel_diff = std::fabs(a - b) / std::max(std::fabs(b), 1.0);
      }
      c->max_rel_diff = std::max(c->max_rel_diff, d.rel_diff);
      if (d.rel_diff <= 1e-12) {
        ++c->fields_equal;
      } else {
        c->diffs.push_back(d);
      }
    }
  }
}

}  // namespace

std::string ComputeReportCsv(const std::vector<LayerReport>& layers) {
  return Rows(layers,
              "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
              "Compute Util %,\n",
              ComputeFields);
}

std::string BandwidthReportCsv(const std::vector<LayerReport>& layers) {
  return Rows(layers,
              "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, "
              "Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n",
              BandwidthFields);
}

std::string DetailedReportCsv(const std::vector<LayerReport>& layers) {
  return Rows(layers,
              "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, "
              "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, "
              "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, "
              "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, "
              "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, "
              "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n",
              DetailedFields);
}

Status WriteReports(const std::string& dir, const std::vector<LayerReport>& layers) {
  HWSIM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + kComputeReportName, ComputeReportCsv(layers)));
  HWSIM_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/" + kBandwidthReportName, BandwidthReportCsv(layers)));
  return WriteFileAtomic(dir + "/" + kDetailedReportName, DetailedReportCsv(layers));
}

Status ParseReportCsv(const std::string& text, const std::string& file, CsvTable* t) {
  *t = CsvTable();
  std::vector<std::string> lines = Split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (Trim(lines[i]).empty()) continue;
    std::vector<std::string> f = Split(lines[i], ',');
    for (std::string& s : f) s = Trim(s);
    if (f.size() > 1 && f.back().empty()) f.pop_back();
    if (t->header.empty()) {
      t->header = f;
    } else if (f.size() != t->header.size()) {
      return Status::Error(Where(file, static_cast<int>(i) + 1) + "expected " +
                           std::to_string(t->header.size()) + " fields, got " +
                           std::to_string(f.size()));
    } else {
      t->rows.push_back(f);
    }
  }
  if (t->header.empty()) return Status::Error(file + ": empty report");
  return Status::Ok();
}

Status CompareWithReferenceDir(const std::vector<LayerReport>& layers, const std::string& dir,
                               ReportComparison* out) {
  *out = ReportComparison();
  const std::pair<const char*, std::string> reports[] = {
      {kComputeReportName, ComputeReportCsv(layers)},
      {kBandwidthReportName, BandwidthReportCsv(layers)},
      {kDetailedReportName, DetailedReportCsv(layers)}};
  for (const auto& [name, ours_text] : reports) {
    const std::string path = dir + "/" + name;
    std::string text;
    HWSIM_RETURN_IF_ERROR(ReadFile(path, &text));
    CsvTable ours, ref;
    HWSIM_RETURN_IF_ERROR(ParseReportCsv(ours_text, name, &ours));
    HWSIM_RETURN_IF_ERROR(ParseReportCsv(text, path, &ref));
    if (ref.header.empty() || ref.header[0] != "LayerID") {
      return Status::Error(path + ": not a SCALE-Sim " + name + " (first column is not LayerID)");
    }
    CompareTables(name, ours, ref, out);
  }
  return Status::Ok();
}

std::string ComparisonCsv(const ReportComparison& c) {
  std::ostringstream o;
  o << "report,layer,field,hwsim,reference,rel_diff\n";
  for (const FieldDiff& d : c.diffs) {
    o << d.report << "," << d.layer << "," << d.field << "," << d.ours << "," << d.reference << ","
      << PyFloat(d.rel_diff) << "\n";
  }
  o << "# fields compared " << c.fields_compared << ", equal " << c.fields_equal << ", differing "
    << c.diffs.size() << ", max rel diff " << PyFloat(c.max_rel_diff) << ", same layer count "
    << (c.layers_match ? "yes" : "no") << "\n";
  return o.str();
}

}  // namespace strata::hwsim
