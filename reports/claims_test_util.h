// What the claim tests share: a claim made to hold and to fail by hand-made numbers, and the
// check (at the end of //reports:claims_test) that every claim a table declares was.
#ifndef STRATA_REPORTS_CLAIMS_TEST_UTIL_H_
#define STRATA_REPORTS_CLAIMS_TEST_UTIL_H_

#include "reports/claims.h"

namespace strata {
namespace reports {

// EXPECTs holds.holds == true and fails.holds == false, both with evidence; when they are,
// spec's id counts as exercised.
void ExpectHoldsAndFails(const ClaimSpec& spec, const Verdict& holds, const Verdict& fails);
// For a claim whose rule never says false (the numbers can only confirm it or leave it
// open): EXPECTs holds.holds == true and undecided.holds == nullopt, both with evidence.
void ExpectHoldsAndUndecided(const ClaimSpec& spec, const Verdict& holds, const Verdict& undecided);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_CLAIMS_TEST_UTIL_H_
