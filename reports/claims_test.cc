// Claims as pure functions: the declared-claims registry is complete (every claim a table
// declares is made to hold and to fail by a test in this binary, checked when all tests
// have run), and AddClaim leaves a claim undecided exactly where the preset says.
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "reports/claims_test_util.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

std::set<std::string>& Exercised() {
  static std::set<std::string>* ids = new std::set<std::string>();
  return *ids;
}

// After every test: each declared claim id must have been exercised both ways.
class EveryDeclaredClaimIsTested : public ::testing::Environment {
 public:
  void TearDown() override {
    if (::testing::GTEST_FLAG(filter) != "*") return;  // a subset ran: nothing to conclude
    for (const TableDef& def : AllTables()) {
      for (const ClaimSpec& c : def.claims) {
        EXPECT_TRUE(Exercised().count(c.id))
            << "claim " << c.id << " of " << def.target << " has no test making it hold and fail";
      }
    }
  }
};
const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new EveryDeclaredClaimIsTested);

TEST(Claims, EveryDeclaredIdIsUniqueAndNamedAfterItsTable) {
  std::set<std::string> ids;
  for (const TableDef& def : AllTables()) {
    for (const ClaimSpec& c : def.claims) {
      EXPECT_TRUE(ids.insert(c.id).second) << c.id << " declared twice";
      EXPECT_EQ(c.id.rfind(def.target + ".", 0), 0u) << c.id << " in " << def.target;
      EXPECT_FALSE(c.text.empty()) << c.id;
    }
  }
  EXPECT_GE(ids.size(), 40u);
}

TEST(Claims, UndecidedWhereThePresetDecidesNoClaimsUnlessAlwaysDecided) {
  Preset smoke, quick;
  smoke.set_decides_claims(false);
  quick.set_decides_claims(true);
  const ClaimSpec trained{"t.trained", "needs trained numbers"};
  const ClaimSpec exact{"t.exact", "exact at any preset", true};
  TableReport r;
  AddClaim(&r, trained, {true, "e1"}, smoke);
  AddClaim(&r, trained, {false, "e2"}, quick);
  AddClaim(&r, exact, {false, "e3"}, smoke);
  AddClaim(&r, exact, {std::nullopt, "e4"}, quick);
  ASSERT_EQ(r.claims_size(), 4);
  EXPECT_EQ(r.claims(0).holds().kind_case(), google::protobuf::Value::kNullValue);
  EXPECT_EQ(r.claims(0).evidence(), "e1");  // the evidence is kept
  EXPECT_FALSE(r.claims(1).holds().bool_value());
  EXPECT_EQ(r.claims(1).holds().kind_case(), google::protobuf::Value::kBoolValue);
  EXPECT_EQ(r.claims(2).holds().kind_case(), google::protobuf::Value::kBoolValue);
  EXPECT_EQ(r.claims(3).holds().kind_case(), google::protobuf::Value::kNullValue);
}

TEST(Claims, StrFormatFormatsLongLines) {
  const std::string s = StrFormat("%s %.2f %d", std::string(300, 'x').c_str(), 1.5, 7);
  EXPECT_EQ(s, std::string(300, 'x') + " 1.50 7");
}

}  // namespace

void ExpectHoldsAndFails(const ClaimSpec& spec, const Verdict& holds, const Verdict& fails) {
  SCOPED_TRACE(spec.id);
  EXPECT_EQ(holds.holds, std::optional<bool>(true)) << holds.evidence;
  EXPECT_EQ(fails.holds, std::optional<bool>(false)) << fails.evidence;
  EXPECT_FALSE(holds.evidence.empty());
  EXPECT_FALSE(fails.evidence.empty());
  if (holds.holds == std::optional<bool>(true) && fails.holds == std::optional<bool>(false)) {
    Exercised().insert(spec.id);
  }
}

void ExpectHoldsAndUndecided(const ClaimSpec& spec, const Verdict& holds,
                             const Verdict& undecided) {
  SCOPED_TRACE(spec.id);
  EXPECT_EQ(holds.holds, std::optional<bool>(true)) << holds.evidence;
  EXPECT_EQ(undecided.holds, std::nullopt) << undecided.evidence;
  EXPECT_FALSE(holds.evidence.empty());
  EXPECT_FALSE(undecided.evidence.empty());
  if (holds.holds == std::optional<bool>(true) && !undecided.holds) Exercised().insert(spec.id);
}

}  // namespace reports
}  // namespace strata
