// Private to //models: the family constructors behind models::Build (build.cc), which
// validates the spec first. Each returns a network whose build_error() may still say the
// input size does not fit.
#ifndef STRATA_MODELS_FAMILIES_H_
#define STRATA_MODELS_FAMILIES_H_

#include <memory>

#include "models/network.h"

namespace strata {
namespace models {

// depth = 6n + 2 (20, 32, 56, ...).
std::unique_ptr<Network> BuildResNetCifar(const ModelSpec& spec, int depth);
// depth 18, 34 or 50; imagenet_stem: 7x7/2 conv + max-pool, else 3x3/1 conv.
std::unique_ptr<Network> BuildResNetImageNet(const ModelSpec& spec, int depth, bool imagenet_stem);
// cifar: stride-1 stem.
std::unique_ptr<Network> BuildMobileNetV2(const ModelSpec& spec, bool cifar);
// The first `convs` (1..13) conv layers of VGG-16-BN plus its classifier.
std::unique_ptr<Network> BuildVgg16Bn(const ModelSpec& spec, int convs);

}  // namespace models
}  // namespace strata

#endif  // STRATA_MODELS_FAMILIES_H_
