// CI's end-to-end and reproducibility check: every implemented table runs at the smoke
// preset from an empty cache, its runs at --threads=<n> (this binary's argument; BUILD runs
// it at 1 and at 2), through the stable interface. Each table's JSON has the documented
// shape — target, preset, rows, and every claim the table declares (holds true/false, or
// null: undecided at smoke), each with text and evidence; rows from training runs carry a
// SHA-256 digest — and every planned run's final-parameter digest equals the committed
// manifest reports/results/smoke_digests.json (digests.h). A change that alters results
// regenerates it in the same commit: bazel run //reports -- --preset=smoke --write_digests
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "reports/digests.h"
#include "reports/runfiles.h"
#include "reports/table.h"

namespace strata {
namespace reports {
namespace {

int g_threads = 1;

std::string TmpDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/" + name;
}

bool IsSha256(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// What was written for def: the documented JSON interface, read back.
void CheckWrittenReport(const TableDef& def) {
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
  std::set<std::string> ids, declared;
  for (const Claim& c : r->claims()) {
    ids.insert(c.id());
    EXPECT_FALSE(c.text().empty()) << c.id();
    EXPECT_FALSE(c.evidence().empty()) << c.id();
    const auto kind = c.holds().kind_case();
    EXPECT_TRUE(kind == Cell::kBoolValue || kind == Cell::kNullValue) << c.id();
  }
  for (const ClaimSpec& c : def.claims) declared.insert(c.id);
  EXPECT_EQ(ids, declared) << "the claims reported are not the claims declared";
  if (!def.plan) return;
  int digests = 0;
  for (const auto& row : r->rows()) {
    auto d = row.fields().find("digest");
    if (d == row.fields().end()) continue;
    EXPECT_TRUE(IsSha256(d->second.string_value())) << d->second.string_value();
    ++digests;
  }
  EXPECT_GT(digests, 0) << "no row carries a training run's digest";
}

TEST(TablesSmokeTest, EveryTableWritesItsDeclaredClaimsAndTheCommittedDigests) {
  const std::string threads = "--threads=" + std::to_string(g_threads);
  char prog[] = "tables_smoke_test", preset[] = "--preset=smoke";
  std::string out = "--out=" + TmpDir("out"), cache = "--cache=" + TmpDir("cache");
  char* argv[] = {prog, preset, out.data(), cache.data(), const_cast<char*>(threads.c_str())};
  StatusOr<TableContext> base = ParseTableFlags(5, argv, {}, "");
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  StatusOr<std::unique_ptr<Runner>> runner = MakeRunner(*base);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  for (const TableDef& def : AllTables()) {
    if (!def.build) continue;
    SCOPED_TRACE(def.target);
    char* table_argv[] = {prog, preset, out.data(), cache.data(),
                          const_cast<char*>(threads.c_str())};
    StatusOr<TableContext> ctx = ParseTableFlags(5, table_argv, def.extra_flags, def.dir);
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    ctx->runner = runner->get();
    StatusOr<TableReport> run = RunTable(def, *ctx);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    CheckWrittenReport(def);
  }
  EXPECT_GT((*runner)->computed(), 0) << "every run trains here (the cache starts empty)";
  base->runner = runner->get();
  StatusOr<Digests> got = PlannedDigests(*base);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  StatusOr<std::string> text = ReadFile(RunfilePath(DigestsPath("smoke")));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  StatusOr<Digests> want = ParseDigestsJson(*text, DigestsPath("smoke"));
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  std::string diff;
  for (const std::string& d : DiffDigests(*want, *got)) diff += "\n  " + d;
  EXPECT_TRUE(diff.empty()) << DigestsPath("smoke") << " is not what the tables train at "
                            << g_threads << " thread(s):" << diff
                            << "\nIf the change is meant to alter results, regenerate it in the "
                               "same commit (bazel run //reports -- --preset=smoke "
                               "--write_digests) and say why in the message.";
}

}  // namespace
}  // namespace reports
}  // namespace strata

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0)
      strata::reports::g_threads = std::atoi(argv[i] + 10);
  }
  return RUN_ALL_TESTS();
}
