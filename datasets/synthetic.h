// Synthetic datasets for tests and smoke runs: seeded, generated in memory, learnable.
// Private to //datasets; reach it through Open() with kind SYNTHETIC.
//
// Class k has a prototype image drawn from Philox(seed, Stream("synthetic/prototype", k));
// example i has label i mod num_classes and pixels prototype + noise, where the noise
// comes from Philox(seed, Stream("synthetic/<split>", i)). Train and test therefore share
// prototypes but never examples.
#ifndef STRATA_DATASETS_SYNTHETIC_H_
#define STRATA_DATASETS_SYNTHETIC_H_

#include <memory>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

// Errors name the config field (synthetic.num_examples, ...) and its value.
StatusOr<std::unique_ptr<Dataset>> OpenSynthetic(const DatasetConfig::Synthetic& params,
                                                 bool train);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_SYNTHETIC_H_
