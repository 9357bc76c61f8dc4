#include <dirent.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "reports/paper_numbers.h"
#include "reports/plot.h"
#include "reports/report_table.h"

namespace strata {
namespace reports {
namespace {

TableReport Sample() {
  TableReport r = NewReport("vl_table7", "smoke", "vertical layering", "Compensation");
  r.set_note("paper: ImageNet");
  for (const char* c : {"row", "paper", "strata"}) r.add_columns(c);
  AddRow(&r, {{"row", Text("2/2, w.")}, {"paper", Number(66.7)}, {"strata", Number(61.25)},
              {"digest", Text("ab12")}});
  AddRow(&r, {{"row", Text("co-train")}, {"paper", Null()}, {"strata", Number(NAN)}});
  AddRow(&r, {{"row", Text("cycles")}, {"paper", Number(130047)}, {"strata", Number(1.5e20)}});
  AddClaim(&r, "a", "raises 2-bit", true, "61.25 > 55");
  AddClaim(&r, "b", "no width worse", false, "3/3: 60 < 61");
  AddClaim(&r, "c", "undecided", std::nullopt, "smoke");
  return r;
}

TEST(Report, JsonHasTheDocumentedShapeAndRoundTrips) {
  const TableReport r = Sample();
  const std::string json = ReportToJson(r);
  for (const char* key : {"\"target\"", "\"preset\"", "\"rows\"", "\"claims\"", "\"holds\"",
                          "\"evidence\"", "\"digest\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " missing in " << json;
  }
  EXPECT_NE(json.find("\"holds\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"NaN\""), std::string::npos) << "NaN must be a string, not bare NaN";
  auto back = ReportFromJson(json, "x.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ReportToJson(*back), json);
  auto bad = ReportFromJson(json.substr(0, json.size() / 2), "cache/x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cache/x.json"), std::string::npos);
}

TEST(Report, JsonBytesDoNotDependOnInsertionOrder) {
  TableReport a = NewReport("t", "smoke", "p", "x"), b = a;
  AddRow(&a, {{"z", Number(1)}, {"a", Number(2)}, {"m", Text("s")}});
  AddRow(&b, {{"m", Text("s")}, {"a", Number(2)}, {"z", Number(1)}});
  EXPECT_EQ(ReportToJson(a), ReportToJson(b));
  const std::string json = ReportToJson(a);
  EXPECT_LT(json.find("\"a\""), json.find("\"m\""));
  EXPECT_LT(json.find("\"m\""), json.find("\"z\""));
}

TEST(Report, MarkdownAndCsv) {
  const TableReport r = Sample();
  const std::string md = ReportToMarkdown(r);
  EXPECT_NE(md.find("| row | paper | strata |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2/2, w. | 66.7 | 61.25 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| co-train |  | NaN |"), std::string::npos) << md;
  EXPECT_NE(md.find("✓ raises 2-bit"), std::string::npos);
  EXPECT_NE(md.find("✗ no width worse"), std::string::npos);
  EXPECT_NE(md.find("– undecided"), std::string::npos);
  EXPECT_EQ(ReportToCsv(r),
            "row,paper,strata\n\"2/2, w.\",66.7,61.25\nco-train,,NaN\ncycles,130047,1.5e+20\n");
}

TEST(Report, WriteReportIsAtomicAndNamesBadDirs) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/out/vl";
  ASSERT_TRUE(WriteReport(Sample(), dir).ok());
  for (const char* ext : {".json", ".md", ".csv"}) {
    EXPECT_TRUE(FileExists(dir + "/vl_table7" + ext)) << ext;
  }
  ASSERT_TRUE(WriteFileAtomic(dir + "/file", "x").ok());
  const Status s = WriteReport(Sample(), dir + "/file/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("file/sub"), std::string::npos) << s.ToString();
}

TEST(PaperNumbers, EveryTranscribedTableParses) {
  DIR* d = opendir("reports/paper");
  ASSERT_NE(d, nullptr) << "reports/paper missing from runfiles";
  int files = 0;
  for (dirent* e; (e = readdir(d)) != nullptr;) {
    const std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 4) != ".csv") continue;
    auto t = LoadPaperTable("reports/paper/" + name);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_FALSE(t->entries().empty()) << name;
    ++files;
  }
  closedir(d);
  EXPECT_GE(files, 24);
}

TEST(PaperNumbers, LookupAndCitedFlag) {
  auto t = LoadPaperTable("reports/paper/vl_table1.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const PaperEntry* e = t->Find("LSQ", "Top-1 | 4/4");
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->number.has_value());
  EXPECT_DOUBLE_EQ(*e->number, 70.5);
  EXPECT_FALSE(e->cited);
  const PaperEntry* nan = t->Find("Multi-layer co-training", "Top-1 | 3/3");
  ASSERT_NE(nan, nullptr);
  EXPECT_EQ(nan->value, "NaN");
  EXPECT_FALSE(nan->number.has_value());
  EXPECT_EQ(t->Find("LSQ", "Top-1 | 8/8"), nullptr);
}

TEST(PaperNumbers, BadCsvNamesFileAndRecord) {
  const std::string header = "paper,table,row,column,value,unit,cited,source,note\n";
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"", "empty file"},
      {"a,b\n", "header"},
      {header + "vl,T1,LSQ,2/2,66.5,%,no,src\n", "record 2: 8 fields"},
      {header + "vl,T1,LSQ,2/2,66.5,%,maybe,src,n\n", "field 'cited': value 'maybe'"},
      {header + "vl,T1,\"LSQ,2/2,66.5,%,no,src,n\n", "unterminated"},
  };
  for (const Case& c : cases) {
    auto t = ParsePaperCsv(c.text, "bad.csv");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.status().message().find("bad.csv"), std::string::npos);
    EXPECT_NE(t.status().message().find(c.expect), std::string::npos) << t.status().ToString();
  }
  auto quoted = ParsePaperCsv(header + "vl,T1,\"a, \"\"b\"\"\",c,1.5,%,yes,s,n\n", "q.csv");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->entries()[0].row, "a, \"b\"");
  EXPECT_TRUE(quoted->entries()[0].cited);
}

TEST(Plot, ScriptNamesEverySeries) {
  Figure f{"t", "x", "y", {{"it's a", {1, 2}, {3, 4}, "points"}, {"b", {1}, {2}, "lines"}}, true};
  const std::string s = GnuplotScript(f, "/d.txt", "svg", "/o.svg");
  EXPECT_NE(s.find("index 0 using 1:2 with points title 'it''s a'"), std::string::npos) << s;
  EXPECT_NE(s.find("index 1 using 1:2 with lines title 'b'"), std::string::npos) << s;
  EXPECT_NE(s.find("set logscale x"), std::string::npos);
}

TEST(Plot, RendersPngAndSvgWithGnuplot) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    if (std::getenv("CI") != nullptr) FAIL() << "CI must have gnuplot-nox (tools/setup.sh)";
    GTEST_SKIP() << "gnuplot not installed: run tools/setup.sh (Debian gnuplot-nox)";
  }
  const std::string base = std::string(std::getenv("TEST_TMPDIR")) + "/fig";
  Figure f{"acc vs size", "Mbit", "top-1", {{"mixed", {1, 2, 3}, {50, 60, 65}, "linespoints"}}};
  const Status s = RenderFigure(f, base);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto png = ReadFile(base + ".png");
  auto svg = ReadFile(base + ".svg");
  ASSERT_TRUE(png.ok() && svg.ok());
  EXPECT_EQ(png->substr(1, 3), "PNG");
  EXPECT_NE(svg->find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace reports
}  // namespace strata
