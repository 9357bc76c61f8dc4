// CI's end-to-end check: every implemented table runs at the smoke preset through the
// stable interface and its JSON has the documented shape — target, preset, rows, and
// every claim DeclaredClaims() lists for it (holds true/false, or null: undecided at
// smoke), each with text and evidence; rows from training runs carry a SHA-256 digest.
#include <cstdlib>
#include <set>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "gtest/gtest.h"
#include "reports/runfiles.h"
#include "reports/table.h"

namespace strata {
namespace reports {
namespace {

std::string TmpDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/" + name;
}

bool IsSha256(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(TablesSmokeTest, EveryTableWritesItsDeclaredClaims) {
  std::set<std::string> implemented;
  for (const TableDef& def : AllTables()) {
    if (!def.fn) continue;
    implemented.insert(def.target);
    SCOPED_TRACE(def.target);
    char prog[] = "tables_smoke_test", preset[] = "--preset=smoke";
    std::string out = "--out=" + TmpDir("out"), cache = "--cache=" + TmpDir("cache");
    char* argv[] = {prog, preset, out.data(), cache.data()};
    StatusOr<TableContext> ctx = ParseTableFlags(4, argv, def.extra_flags, def.dir);
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    StatusOr<TableReport> run = RunTable(def, *ctx);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    // Read back what was written: the documented JSON interface.
    StatusOr<std::string> json = ReadFile(TmpDir("out") + "/" + def.target + ".json");
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    google::protobuf::Struct parsed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok());
    for (const char* key : {"target", "preset", "rows", "claims"}) {
      EXPECT_TRUE(parsed.fields().count(key)) << "missing key " << key;
    }
    StatusOr<TableReport> r = ReportFromJson(*json, def.target + ".json");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->target(), def.target);
    EXPECT_EQ(r->preset(), "smoke");
    EXPECT_GT(r->rows_size(), 0);
    std::set<std::string> ids;
    for (const Claim& c : r->claims()) {
      ids.insert(c.id());
      EXPECT_FALSE(c.text().empty()) << c.id();
      EXPECT_FALSE(c.evidence().empty()) << c.id();
      const auto kind = c.holds().kind_case();
      EXPECT_TRUE(kind == Cell::kBoolValue || kind == Cell::kNullValue) << c.id();
    }
    auto declared = DeclaredClaims().find(def.target);
    ASSERT_NE(declared, DeclaredClaims().end()) << "no declared claims for " << def.target;
    for (const std::string& id : declared->second) EXPECT_TRUE(ids.count(id)) << "claim " << id;
    EXPECT_EQ(ids.size(), declared->second.size()) << "undeclared claims";
    if (def.plan) {
      int digests = 0;
      for (const auto& row : r->rows()) {
        auto d = row.fields().find("digest");
        if (d == row.fields().end()) continue;
        EXPECT_TRUE(IsSha256(d->second.string_value())) << d->second.string_value();
        ++digests;
      }
      EXPECT_GT(digests, 0) << "no row carries a training run's digest";
    }
  }
  for (const auto& [target, ids] : DeclaredClaims()) {
    EXPECT_TRUE(implemented.count(target)) << target << " declares claims but is not implemented";
  }
}

}  // namespace
}  // namespace reports
}  // namespace strata
