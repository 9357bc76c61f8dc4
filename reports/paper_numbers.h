// The papers' own numbers, transcribed in reports/paper/*.csv (see reports/paper/README.md
// for provenance and conventions), looked up by (row, column) as printed in the paper.
//
//   StatusOr<PaperTable> t = LoadPaperTable("reports/paper/vl_table7.csv");
//   const PaperEntry* e = t->Find("ResNet-18 | w. compensation", "Top-1 | 2/2");
//   if (e && e->number) ... *e->number ...   // 66.7, e->cited == false
#ifndef STRATA_REPORTS_PAPER_NUMBERS_H_
#define STRATA_REPORTS_PAPER_NUMBERS_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace reports {

struct PaperEntry {
  std::string paper, table, row, column;
  std::string value;              // as printed ("66.7", "NaN", "✓", or "" when unreadable)
  std::optional<double> number;   // value parsed as a finite number, else nullopt
  std::string unit;
  bool cited = false;             // copied by the paper's authors from another paper
  std::string source, note;
};

class PaperTable {
 public:
  explicit PaperTable(std::vector<PaperEntry> entries) : entries_(std::move(entries)) {}
  const PaperEntry* Find(const std::string& row, const std::string& column) const;
  const std::vector<PaperEntry>& entries() const { return entries_; }

 private:
  std::vector<PaperEntry> entries_;
};

// RFC 4180 records (quoted fields, doubled quotes, CRLF). An unterminated quote is a
// DataLoss naming `source`.
StatusOr<std::vector<std::vector<std::string>>> SplitCsv(const std::string& text,
                                                         const std::string& source);

// RFC 4180 CSV with the header paper,table,row,column,value,unit,cited,source,note.
StatusOr<PaperTable> ParsePaperCsv(const std::string& text, const std::string& source);
// Reads a CSV from the runfiles (tables run with reports/paper as a data dependency).
StatusOr<PaperTable> LoadPaperTable(const std::string& path);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_PAPER_NUMBERS_H_
