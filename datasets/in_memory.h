// A dataset held entirely in memory as uint8 CHW samples (IDX, CIFAR, synthetic), and a
// subset view over any dataset. Private to //datasets.
#ifndef STRATA_DATASETS_IN_MEMORY_H_
#define STRATA_DATASETS_IN_MEMORY_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

// Owns n samples of c*h*w bytes each, stored back to back (N,C,H,W), and n labels.
// The digest is SHA-256 over the shape, the class count, the pixels and the labels, so
// the same data read from raw or gzip files has the same identity; it is computed on first
// use (a subset of an in-memory set never needs its base's).
class InMemoryDataset : public Dataset {
 public:
  // CHECKs that pixels.size() == labels.size() * c * h * w and labels lie in range:
  // readers validate outside input before building one.
  InMemoryDataset(std::string name, int c, int h, int w, int num_classes,
                  std::vector<uint8_t> pixels, std::vector<int32_t> labels);

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int num_classes() const override { return num_classes_; }
  int channels() const override { return c_; }
  int height() const override { return h_; }
  int width() const override { return w_; }
  int32_t label(int64_t i) const override { return labels_[i]; }
  Status Get(int64_t i, Image* out) const override;
  const std::string& digest() const override;  // thread-safe
  std::string description() const override;

  // Sample i's c*h*w bytes, without copying.
  const uint8_t* pixels(int64_t i) const { return pixels_.data() + i * sample_bytes_; }
  // The digest of the samples at `indices` (in that order), as if they were a dataset of
  // their own: the in-memory identity of a subset.
  std::string DigestOf(const std::vector<int64_t>& indices) const;

 private:
  std::string name_;
  int c_, h_, w_, num_classes_;
  int64_t sample_bytes_;
  std::vector<uint8_t> pixels_;
  std::vector<int32_t> labels_;
  mutable std::once_flag digest_once_;
  mutable std::string digest_;
};

// The samples of `base` at `indices` (in that order). Digest: SHA-256 of `spec` (a
// canonical description of how the indices were chosen) and, over an in-memory base, the
// chosen samples themselves (InMemoryDataset::DigestOf: the data the subset holds, without
// hashing the rest), else the base's digest.
class SubsetDataset : public Dataset {
 public:
  SubsetDataset(std::unique_ptr<Dataset> base, std::vector<int64_t> indices, std::string spec);

  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  int num_classes() const override { return base_->num_classes(); }
  int channels() const override { return base_->channels(); }
  int height() const override { return base_->height(); }
  int width() const override { return base_->width(); }
  int32_t label(int64_t i) const override { return base_->label(indices_[i]); }
  Status Get(int64_t i, Image* out) const override { return base_->Get(indices_[i], out); }
  const std::string& digest() const override { return digest_; }
  std::string description() const override;

 private:
  std::unique_ptr<Dataset> base_;
  std::vector<int64_t> indices_;
  std::string spec_;
  std::string digest_;
};

// Applies the config's subset (if any) to `base`. Errors: k <= 0, k larger than a class
// (first_k_per_class) or than the dataset (random_k).
StatusOr<std::unique_ptr<Dataset>> ApplySubset(const DatasetConfig& config,
                                               std::unique_ptr<Dataset> base);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_IN_MEMORY_H_
