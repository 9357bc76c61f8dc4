// SCALE-Sim's three reports (HWSIM.md §5.5), byte for byte: COMPUTE_REPORT.csv,
// BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, with SCALE-Sim's headers, one row per
// (expanded) layer, ", "-separated fields and a trailing comma; floats as Python prints them
// (pyfloat.h), cycles in the detailed report as floats ("-3277.0") and counts as integers.
//
// Also: reading a directory of SCALE-Sim reports back and diffing it field by field against
// hwsim's (`--reference=<dir>`, the strata_hwsim_validation table's input).
#ifndef STRATA_HWSIM_REPORTS_H_
#define STRATA_HWSIM_REPORTS_H_

#include <string>
#include <vector>

#include "hwsim/layer_sim.h"
#include "hwsim/status.h"

namespace strata::hwsim {

extern const char* const kComputeReportName;    // "COMPUTE_REPORT.csv"
extern const char* const kBandwidthReportName;  // "BANDWIDTH_REPORT.csv"
extern const char* const kDetailedReportName;   // "DETAILED_ACCESS_REPORT.csv"

std::string ComputeReportCsv(const std::vector<LayerReport>& layers);
std::string BandwidthReportCsv(const std::vector<LayerReport>& layers);
std::string DetailedReportCsv(const std::vector<LayerReport>& layers);

// Writes the three reports into `dir` (which must exist), each atomically.
Status WriteReports(const std::string& dir, const std::vector<LayerReport>& layers);

// A parsed report: header names and rows of fields (trimmed, trailing comma dropped).
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
Status ParseReportCsv(const std::string& text, const std::string& filename, CsvTable* table);

struct FieldDiff {
  std::string report;  // file name
  int64_t layer = 0;   // row index (LayerID)
  std::string field;   // column header
  std::string ours, reference;
  double rel_diff = 0;  // |ours - ref| / max(|ref|, 1); inf when a side is missing/non-numeric
};
struct ReportComparison {
  int64_t fields_compared = 0;
  int64_t fields_equal = 0;      // numerically equal (integers exactly, floats to 1e-12 rel)
  std::vector<FieldDiff> diffs;  // every field that differs
  double max_rel_diff = 0;
  bool layers_match = true;  // same number of rows in every report
};
// Compares hwsim's reports for `layers` against the three CSVs in `reference_dir`, field by
// field (columns matched by header name; a column the reference lacks counts as differing).
Status CompareWithReferenceDir(const std::vector<LayerReport>& layers,
                               const std::string& reference_dir, ReportComparison* out);
// COMPARISON.csv: one line per differing field plus a summary line.
std::string ComparisonCsv(const ReportComparison& c);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_REPORTS_H_
