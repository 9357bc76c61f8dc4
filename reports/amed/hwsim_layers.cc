// A strata network on an accelerator preset (hwsim_layers.h).
#include "reports/amed/hwsim_layers.h"

#include <memory>

#include "models/models.h"

namespace strata {
namespace reports {
namespace amed {
namespace {

Status FromHwsim(const hwsim::Status& s) {
  return s.ok() ? Status::Ok() : InvalidArgumentError(s.message());
}

}  // namespace

StatusOr<std::vector<hwsim::Layer>> ModelLayers(const std::string& name) {
  models::ModelSpec spec;
  spec.name = name;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, models::Build(spec));
  std::vector<hwsim::Layer> layers;
  STRATA_RETURN_IF_ERROR(
      FromHwsim(hwsim::ParseTopologyText(models::TopologyCsv(models::Topology(*net)), name + ".csv",
                                         hwsim::TopologyFormat::kConv, &layers)));
  return layers;
}

StatusOr<hwsim::AcceleratorConfig> PresetConfig(const std::string& name) {
  hwsim::AcceleratorConfig cfg;
  STRATA_RETURN_IF_ERROR(FromHwsim(hwsim::Preset(name, &cfg)));
  return cfg;
}

}  // namespace amed
}  // namespace reports
}  // namespace strata
