// Rendering of a table target's result: <dir>/<target>.{json,md,csv}, written atomically.
//
//   TableReport r = NewReport("vl_table7", "quick", "vertical layering", "Compensation");
//   r.add_columns("row"); r.add_columns("paper"); r.add_columns("strata");
//   AddRow(&r, {{"row", Text("2/2")}, {"paper", Number(66.7)}, {"strata", Number(61.0)}});
//   AddClaim(&r, "vl_table7.raises_2bit", "compensation raises 2-bit accuracy", true, "61.0 > 55.2");
//   STRATA_RETURN_IF_ERROR(WriteReport(r, out_dir));
//
// JSON is protobuf's JSON mapping of TableReport (report.proto), so its shape is the
// documented interface: {"target", "preset", "rows": [...], "claims": [{"id", "text",
// "holds", "evidence"}], ...}. Markdown lists the columns in order, then each claim with
// ✓ (holds), ✗ (does not) or – (undecided) and its evidence. CSV holds the rows only.
#ifndef STRATA_REPORTS_REPORT_TABLE_H_
#define STRATA_REPORTS_REPORT_TABLE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "reports/report.pb.h"

namespace strata {
namespace reports {

using Cell = google::protobuf::Value;
Cell Number(double v);  // NaN and infinities become the strings "NaN", "Inf", "-Inf"
Cell Text(const std::string& s);
Cell Null();

TableReport NewReport(const std::string& target, const std::string& preset,
                      const std::string& paper, const std::string& title);
void AddRow(TableReport* report, const std::vector<std::pair<std::string, Cell>>& cells);
// holds: nullopt = undecided at this preset.
void AddClaim(TableReport* report, const std::string& id, const std::string& text,
              std::optional<bool> holds, const std::string& evidence);

// Cell as printed in .md/.csv: numbers with up to 6 significant digits, null as "".
std::string FormatCell(const Cell& cell);

std::string ReportToJson(const TableReport& report);
StatusOr<TableReport> ReportFromJson(const std::string& json, const std::string& source);
std::string ReportToMarkdown(const TableReport& report);
std::string ReportToCsv(const TableReport& report);

// Writes <dir>/<target>.json, .md and .csv (creating dir).
Status WriteReport(const TableReport& report, const std::string& dir);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_REPORT_TABLE_H_
