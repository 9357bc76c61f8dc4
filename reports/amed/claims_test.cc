// AMED's claims decide clear cases both ways.
#include "reports/amed/claims.h"

#include "gtest/gtest.h"
#include "reports/claims_test_util.h"

namespace strata {
namespace reports {
namespace amed {
namespace {

TEST(AmedClaims, Table1) {
  ExpectHoldsAndFails(kPresetsEqualPaper, PresetsEqualPaper(24, 24, ""),
                      PresetsEqualPaper(23, 24, " Eyeriss v1/Speed (GHz): paper 0.2 vs hwsim 1;"));
  EXPECT_EQ(PresetsEqualPaper(23, 24, " x;").evidence, "23/24 fields equal; x;");
}

TEST(AmedClaims, Table6) {
  // The paper states neither network nor config: a mismatch leaves the claim undecided.
  ExpectHoldsAndUndecided(kMatchesScaleSim, MatchesScaleSim(5, 5, 52), MatchesScaleSim(4, 5, 52));
  EXPECT_EQ(MatchesScaleSim(0, 0, 52).holds, std::nullopt);
}

}  // namespace
}  // namespace amed
}  // namespace reports
}  // namespace strata
