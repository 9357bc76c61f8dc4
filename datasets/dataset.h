// The Dataset interface every reader implements, and Open() from a DatasetConfig.
//
// A sample is an 8-bit image in CHW layout (channel-major planes, rows top to bottom,
// pixels left to right) plus an integer label in [0, num_classes). IDX, CIFAR and
// synthetic sets hold all their pixels in memory; ImageFolder decodes lazily in Get().
//
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> ds, Open(config));
//   Image img;
//   STRATA_RETURN_IF_ERROR(ds->Get(0, &img));   // img.c x img.h x img.w bytes
//   int32_t y = ds->label(0);
//
// Thread safety: every const method may be called concurrently (the loader's prefetch
// threads do).
#ifndef STRATA_DATASETS_DATASET_H_
#define STRATA_DATASETS_DATASET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.pb.h"
#include "engine/status.h"

namespace strata {
namespace datasets {

// An 8-bit image, CHW, owning its pixels: data.size() == c * h * w.
struct Image {
  std::vector<uint8_t> data;
  int c = 0, h = 0, w = 0;

  void Resize(int channels, int height, int width) {
    c = channels;
    h = height;
    w = width;
    data.resize(static_cast<size_t>(c) * h * w);
  }
  uint8_t* plane(int ch) { return data.data() + static_cast<size_t>(ch) * h * w; }
  const uint8_t* plane(int ch) const { return data.data() + static_cast<size_t>(ch) * h * w; }
};

class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t size() const = 0;
  virtual int num_classes() const = 0;
  // Sample shape. height() and width() are 0 when samples differ in size (an
  // ImageFolder without resize_shorter + crop); a transform must then fix the size.
  virtual int channels() const = 0;
  virtual int height() const = 0;
  virtual int width() const = 0;
  // Label of sample i, 0 <= i < size(); always in [0, num_classes()).
  virtual int32_t label(int64_t i) const = 0;
  // Writes sample i into *out (reusing its storage). Fails only for lazily decoded
  // formats (an undecodable image), naming the file.
  virtual Status Get(int64_t i, Image* out) const = 0;
  // Data identity, 64 hex digits: equal digests mean equal samples and labels in the same
  // order (a result cache keys on it). See each reader for what is hashed.
  virtual const std::string& digest() const = 0;
  // Human-readable, e.g. "fashion-mnist/train (60000 x 1x28x28, 10 classes)".
  virtual std::string description() const = 0;
};

// Opens the dataset a config describes, validating the files and the config. Errors name
// the file (or config field) and the offending value.
StatusOr<std::unique_ptr<Dataset>> Open(const DatasetConfig& config);

// Parses a text-format DatasetConfig; unknown fields or enum names are errors naming them.
StatusOr<DatasetConfig> ParseDatasetConfig(const std::string& text);

// Debian's dataset-fashion-mnist directory, the default path of FASHION_MNIST.
inline constexpr char kDebianFashionMnistDir[] = "/usr/share/datasets/fashion-mnist";

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_DATASET_H_
