// What the AMED tables share to simulate a strata network on an accelerator preset: its
// conv/linear layers as hwsim layers (through the SCALE-Sim topology CSV //models exports)
// and the preset by name, with hwsim's errors as Status.
#ifndef STRATA_REPORTS_AMED_HWSIM_LAYERS_H_
#define STRATA_REPORTS_AMED_HWSIM_LAYERS_H_

#include <string>
#include <vector>

#include "engine/engine.h"
#include "hwsim/hwsim.h"

namespace strata {
namespace reports {
namespace amed {

// A strata model's layers at full size (3x224x224, 1000 classes).
StatusOr<std::vector<hwsim::Layer>> ModelLayers(const std::string& model);
// hwsim::Preset(name): scalesim, scalesim_lowmem, eyeriss, ...
StatusOr<hwsim::AcceleratorConfig> PresetConfig(const std::string& name);

}  // namespace amed
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_AMED_HWSIM_LAYERS_H_
