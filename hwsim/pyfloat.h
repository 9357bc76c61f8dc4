// Python's repr() of a float, so hwsim's CSVs diff cleanly against SCALE-Sim's: SCALE-Sim
// writes `str(x)` of Python and numpy floats, i.e. the shortest round-trip digits, fixed
// notation for decimal exponents -4..15 ("61.63522012578616", "10.0", "-3277.0", "0.0001")
// and scientific otherwise ("1e-05", "1.2345678901234568e+17").
#ifndef STRATA_HWSIM_PYFLOAT_H_
#define STRATA_HWSIM_PYFLOAT_H_

#include <string>

namespace strata::hwsim {

std::string PyFloat(double x);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_PYFLOAT_H_
