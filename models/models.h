// strata models: the one public header of //models.
//
// Overview
//   network.h   ModelSpec; Network (forward with a ForwardContext; the table of
//               quantizable layers; parameters and BN buffers with PyTorch names);
//               Layer (conv / depthwise / linear, consulting QuantHooks for ŵ and x̂);
//               Norm (a BN site with one BN per variant, e.g. per bit-width)
//   topology.h  layer shapes as SCALE-Sim topology rows / CSV text, for hwsim
//   Build()     a network by name, validating the spec
//   //models:topology   `bazel run //models:topology -- --model=resnet18` prints the CSV
//                       (hwsim reads it: --topology=<file>)
//
// Networks (input_size is the nominal H = W used for the layer table and topology; the
// forward accepts any size the layers fit):
//   resnet20, resnet32, resnet56      CIFAR ResNets, 16-32-64, option A shortcuts
//   resnet18, resnet34, resnet50      ImageNet ResNets (7x7/2 stem + max-pool), option B
//   resnet18_cifar, resnet34_cifar,   the same with a 3x3/1 stem and no max-pool
//   resnet50_cifar
//   mobilenetv2, mobilenetv2_cifar    MobileNetV2 (CIFAR: stride-1 stem)
//   vgg16_bn, vgg16_bn_small5,        VGG-16-BN and seed 004's small VGG-16s (first 5 / 8
//   vgg16_bn_small8                   conv layers + the classifier)
// At width 1 the parameter counts equal torchvision's (ResNet-18 11,689,512; ResNet-34
// 21,797,672; ResNet-50 25,557,032; MobileNetV2 3,504,872; VGG-16-BN 138,365,992 with
// 3 input channels, 1000 classes, 224x224).
//
// Worked example: ResNet-20 at width 1/4 on Fashion-MNIST padded to 32x32, one SGD step,
// then per-layer facts a quantizer needs.
//
//   using namespace strata;
//   models::ModelSpec spec;
//   spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 10;
//   spec.input_size = 32, spec.seed = 1;
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, models::Build(spec));
//   Sgd sgd({.momentum = 0.9f});
//   sgd.AddGroup(net->params());
//   models::ForwardContext ctx;
//   ctx.training = true;
//   Tensor loss = CrossEntropy(net->Forward(images, ctx), labels);   // images (N,1,32,32)
//   Backward({loss});
//   sgd.Step(0.1f);
//   net->params().ZeroGrads();
//   for (const models::Layer* l : net->layers())   // "conv1 conv first", ..., "fc linear last"
//     printf("%s %s %s\n", l->info().name.c_str(), models::LayerKindName(l->info().kind),
//            l->info().is_first ? "first" : l->info().is_last ? "last" : "");
//   std::string csv = models::TopologyCsv(models::Topology(*net));   // for hwsim
//
// Quantization: subclass QuantHooks (network.h) and set ctx.hooks; one BN per bit-width:
// spec.bn_variants = number of widths and ctx.variant = the width's index.
#ifndef STRATA_MODELS_MODELS_H_
#define STRATA_MODELS_MODELS_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/network.h"
#include "models/topology.h"

namespace strata {
namespace models {

// The names Build accepts, in a fixed order.
const std::vector<std::string>& ModelNames();

// Validates spec (errors name the field and value: "model.width: 0 must be in (0, 8]";
// an unknown name lists the known ones; an input size a layer does not fit says which)
// and builds the network with freshly initialized parameters.
StatusOr<std::unique_ptr<Network>> Build(const ModelSpec& spec);

}  // namespace models
}  // namespace strata

#endif  // STRATA_MODELS_MODELS_H_
