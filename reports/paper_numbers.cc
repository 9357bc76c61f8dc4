#include "reports/paper_numbers.h"

#include <cmath>
#include <cstdlib>

#include "reports/runfiles.h"

namespace strata {
namespace reports {
namespace {

constexpr int kFields = 9;
const char* const kHeader[kFields] = {"paper", "table", "row",    "column", "value",
                                      "unit",  "cited", "source", "note"};

bool SplitRecords(const std::string& text, std::vector<std::vector<std::string>>* records) {
  std::vector<std::string> record(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch != '"') {
        record.back() += ch;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        record.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      record.emplace_back();
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      records->push_back(std::move(record));
      record.assign(1, "");
    } else {
      record.back() += ch;
    }
  }
  if (record.size() > 1 || !record[0].empty()) records->push_back(std::move(record));
  return !quoted;
}

std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

StatusOr<std::vector<std::vector<std::string>>> SplitCsv(const std::string& text,
                                                         const std::string& source) {
  std::vector<std::vector<std::string>> records;
  if (!SplitRecords(text, &records)) return DataLossError(source + ": unterminated quoted field");
  return records;
}

const PaperEntry* PaperTable::Find(const std::string& row, const std::string& column) const {
  for (const PaperEntry& e : entries_) {
    if (e.row == row && e.column == column) return &e;
  }
  return nullptr;
}

StatusOr<PaperTable> ParsePaperCsv(const std::string& text, const std::string& source) {
  STRATA_ASSIGN_OR_RETURN(auto records, SplitCsv(text, source));
  if (records.empty()) return DataLossError(source + ": empty file, expected a header line");
  for (int i = 0; i < kFields; ++i) {
    if (static_cast<int>(records[0].size()) != kFields || records[0][i] != kHeader[i]) {
      return DataLossError(source + ": line 1: header must be " +
                           "paper,table,row,column,value,unit,cited,source,note");
    }
  }
  std::vector<PaperEntry> entries;
  for (size_t line = 1; line < records.size(); ++line) {
    const auto& f = records[line];
    if (f.size() != kFields) {
      return DataLossError(source + ": record " + std::to_string(line + 1) + ": " +
                           std::to_string(f.size()) + " fields, expected 9");
    }
    if (f[6] != "yes" && f[6] != "no") {
      return DataLossError(source + ": record " + std::to_string(line + 1) +
                           ": field 'cited': value '" + f[6] + "' is not yes/no");
    }
    entries.push_back(
        {f[0], f[1], f[2], f[3], f[4], ParseNumber(f[4]), f[5], f[6] == "yes", f[7], f[8]});
  }
  return PaperTable(std::move(entries));
}

StatusOr<PaperTable> LoadPaperTable(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(RunfilePath(path)));
  return ParsePaperCsv(text, path);
}

}  // namespace reports
}  // namespace strata
