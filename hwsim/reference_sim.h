// The slow reference simulator: a literal model of HWSIM.md §1-5, the test oracle for the
// fast simulator (layer_sim.h). It materializes every operand matrix, every per-cycle demand
// matrix (tiles padded, flipped, framed by idle rows and skewed), the prefetch matrices and
// the 1% line sets, then walks every address of every cycle through the buffers. Use it on
// small layers only (its cost is cycles x ports x lines).
#ifndef STRATA_HWSIM_REFERENCE_SIM_H_
#define STRATA_HWSIM_REFERENCE_SIM_H_

#include "hwsim/layer_sim.h"

namespace strata::hwsim {

LayerReport ReferenceSimulateLayer(const Layer& layer, const AcceleratorConfig& config,
                                   const MemoryParams& memory);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_REFERENCE_SIM_H_
