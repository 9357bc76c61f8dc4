// CIFAR-10 and CIFAR-100, binary version (https://www.cs.toronto.edu/~kriz/cifar.html).
// Private to //datasets; reach it through Open().
//
// CIFAR-10 (cifar-10-batches-bin/): data_batch_1..5.bin (train), test_batch.bin (test);
//   records of 1 label byte + 3072 pixel bytes.
// CIFAR-100 (cifar-100-binary/): train.bin, test.bin; records of 1 coarse label byte,
//   1 fine label byte + 3072 pixel bytes. strata uses the fine labels (100 classes) and
//   validates both.
// Pixels are 1024 R, 1024 G, 1024 B bytes, rows top to bottom: CHW 3x32x32 already.
#ifndef STRATA_DATASETS_CIFAR_H_
#define STRATA_DATASETS_CIFAR_H_

#include <memory>
#include <string>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

StatusOr<std::unique_ptr<Dataset>> OpenCifar10(const std::string& dir, bool train);
StatusOr<std::unique_ptr<Dataset>> OpenCifar100(const std::string& dir, bool train);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_CIFAR_H_
