// IDX files (LeCun's MNIST format; Fashion-MNIST uses it too), raw or gzip-compressed.
// Private to //datasets; reach it through Open().
//
// An IDX file is a 4-byte magic (0, 0, type, ndims), ndims big-endian uint32 dimensions,
// then the data. strata reads unsigned-byte data (type 0x08): images with ndims = 3
// (N, H, W) and labels with ndims = 1 (N).
#ifndef STRATA_DATASETS_IDX_H_
#define STRATA_DATASETS_IDX_H_

#include <memory>
#include <string>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

// The file's bytes, inflated with zlib when they start with the gzip magic (1f 8b).
StatusOr<std::string> ReadMaybeGzip(const std::string& path);

// Reads an images/labels pair. num_classes = 0 infers max(label) + 1; otherwise labels
// must lie in [0, num_classes). `name` prefixes descriptions ("fashion-mnist/train").
StatusOr<std::unique_ptr<Dataset>> OpenIdxPair(const std::string& images_path,
                                               const std::string& labels_path, int num_classes,
                                               const std::string& name);

// MNIST-style directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte, each with or
// without a .gz suffix (the .gz file is preferred when both exist); ten classes.
StatusOr<std::unique_ptr<Dataset>> OpenMnistDir(const std::string& dir, bool train,
                                                const std::string& name);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_IDX_H_
