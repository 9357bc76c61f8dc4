// strata hwsim: the one public header of //hwsim.
//
// systolic-array accelerator simulator with SCALE-Sim v2 semantics, bit-width aware.
#ifndef STRATA_HWSIM_HWSIM_H_
#define STRATA_HWSIM_HWSIM_H_

#endif  // STRATA_HWSIM_HWSIM_H_
