// strata models: the one public header of //models.
//
// ResNet, MobileNetV2, VGG families with per-layer precision; topology export for hwsim.
#ifndef STRATA_MODELS_MODELS_H_
#define STRATA_MODELS_MODELS_H_

#endif  // STRATA_MODELS_MODELS_H_
