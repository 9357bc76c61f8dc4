#include "reports/report_table.h"

#include "moo/train/proto_json.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>

namespace strata {
namespace reports {

Cell Number(double v) {
  Cell c;
  if (std::isnan(v)) {
    c.set_string_value("NaN");
  } else if (std::isinf(v)) {
    c.set_string_value(v > 0 ? "Inf" : "-Inf");
  } else {
    c.set_number_value(v);
  }
  return c;
}

Cell Text(const std::string& s) {
  Cell c;
  c.set_string_value(s);
  return c;
}

Cell Null() {
  Cell c;
  c.set_null_value(google::protobuf::NULL_VALUE);
  return c;
}

TableReport NewReport(const std::string& target, const std::string& preset,
                      const std::string& paper, const std::string& title) {
  TableReport r;
  r.set_target(target);
  r.set_preset(preset);
  r.set_paper(paper);
  r.set_title(title);
  return r;
}

void AddRow(TableReport* report, const std::vector<std::pair<std::string, Cell>>& cells) {
  auto* fields = report->add_rows()->mutable_fields();
  for (const auto& [key, cell] : cells) (*fields)[key] = cell;
}

void AddClaim(TableReport* report, const std::string& id, const std::string& text,
              std::optional<bool> holds, const std::string& evidence) {
  Claim* c = report->add_claims();
  c->set_id(id);
  c->set_text(text);
  if (holds.has_value()) {
    c->mutable_holds()->set_bool_value(*holds);
  } else {
    c->mutable_holds()->set_null_value(google::protobuf::NULL_VALUE);
  }
  c->set_evidence(evidence);
}

std::string FormatCell(const Cell& cell) {
  switch (cell.kind_case()) {
    case Cell::kNumberValue: {
      // Integers (cycle counts, sizes) exactly; other numbers to 6 significant digits.
      const double v = cell.number_value();
      char buf[32];
      if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof(buf), "%.0f", v);
      } else {
        std::snprintf(buf, sizeof(buf), "%.6g", v);
      }
      return buf;
    }
    case Cell::kStringValue:
      return cell.string_value();
    case Cell::kBoolValue:
      return cell.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

std::string ReportToJson(const TableReport& report) { return moo::DeterministicJson(report); }

StatusOr<TableReport> ReportFromJson(const std::string& json, const std::string& source) {
  TableReport report;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &report);
  if (!status.ok()) {
    return DataLossError(source + ": not a TableReport JSON (" + status.ToString() + ")");
  }
  return report;
}

namespace {

std::string ClaimMark(const Claim& c) {
  if (c.holds().kind_case() != Cell::kBoolValue) return "–";
  return c.holds().bool_value() ? "✓" : "✗";
}

std::string RowCell(const google::protobuf::Struct& row, const std::string& column) {
  const auto it = row.fields().find(column);
  return it == row.fields().end() ? "" : FormatCell(it->second);
}

// A table cell may not contain a bare '|'.
std::string MarkdownEscape(const std::string& s) {
  std::string out;
  for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

std::string ReportToMarkdown(const TableReport& r) {
  std::string md = "# " + r.target() + ": " + r.title() + "\n\n";
  md += "paper: " + r.paper() + " · preset: `" + r.preset() + "`\n\n";
  if (!r.note().empty()) md += r.note() + "\n\n";
  std::string header = "|", rule = "|";
  for (const auto& c : r.columns()) {
    header += " " + c + " |";
    rule += "---|";
  }
  md += header + "\n" + rule + "\n";
  for (const auto& row : r.rows()) {
    std::string line = "|";
    for (const auto& c : r.columns()) line += " " + MarkdownEscape(RowCell(row, c)) + " |";
    md += line + "\n";
  }
  if (r.claims_size() > 0) md += "\n## Claims\n\n";
  for (const auto& c : r.claims()) {
    md += "- " + ClaimMark(c) + " " + c.text() + " — " + c.evidence() + " (`" + c.id() + "`)\n";
  }
  for (const auto& f : r.figures()) {
    const bool svg = f.size() > 4 && f.compare(f.size() - 4, 4, ".svg") == 0;
    md += svg ? "(also as [SVG](" + f + "))\n" : "\n![" + f + "](" + f + ")\n";
  }
  return md;
}

std::string ReportToCsv(const TableReport& r) {
  std::string csv;
  for (int i = 0; i < r.columns_size(); ++i) csv += (i ? "," : "") + CsvQuote(r.columns(i));
  csv += "\n";
  for (const auto& row : r.rows()) {
    for (int i = 0; i < r.columns_size(); ++i) {
      csv += (i ? "," : "") + CsvQuote(RowCell(row, r.columns(i)));
    }
    csv += "\n";
  }
  return csv;
}

Status WriteReport(const TableReport& report, const std::string& dir) {
  STRATA_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string base = dir + "/" + report.target();
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(base + ".json", ReportToJson(report)));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(base + ".md", ReportToMarkdown(report)));
  return WriteFileAtomic(base + ".csv", ReportToCsv(report));
}

}  // namespace reports
}  // namespace strata
