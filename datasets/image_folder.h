// ImageFolder: ImageNet's layout, root/<class>/<image>.{jpg,jpeg,png} (extensions in any
// case; other files are ignored). Classes are the subdirectories sorted by name (label =
// rank); images are sorted by name within a class. Private to //datasets.
//
// Opening lists the files only; Get() reads and decodes one image (stb_image), then
// optionally resizes its shorter side and center-crops (ImageOptions; a crop larger than
// the image is zero-padded). Without a crop the samples keep their own sizes and
// height()/width() are 0.
//
// Digest: SHA-256 over the options, the class names, and every image's relative path and
// byte size. Image contents are not hashed (ImageNet is ~140 GB): replacing an image by
// another of the same size keeps the digest.
#ifndef STRATA_DATASETS_IMAGE_FOLDER_H_
#define STRATA_DATASETS_IMAGE_FOLDER_H_

#include <memory>
#include <string>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

// Errors: missing root, no class folders, an empty class folder, bad options.
StatusOr<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& root,
                                                   const DatasetConfig::ImageOptions& options);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_IMAGE_FOLDER_H_
