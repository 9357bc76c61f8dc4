#include "datasets/in_memory.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

#include "engine/check.h"
#include "engine/file_util.h"
#include "engine/rng.h"

namespace strata {
namespace datasets {
namespace {

std::string ShapeString(const Dataset& d) {
  return std::to_string(d.size()) + " x " + std::to_string(d.channels()) + "x" +
         std::to_string(d.height()) + "x" + std::to_string(d.width()) + ", " +
         std::to_string(d.num_classes()) + " classes";
}

// "strata.datasets.v1 <n> <c> <h> <w> <classes>\n", the n samples' pixels, then the labels'
// low and high bytes: SHA-256.
std::string DigestOfSamples(int c, int h, int w, int num_classes, int64_t n,
                            const std::function<const uint8_t*(int64_t)>& pixels,
                            const std::function<int32_t(int64_t)>& label) {
  const int64_t sample_bytes = static_cast<int64_t>(c) * h * w;
  std::string bytes = "strata.datasets.v1 " + std::to_string(n) + " " + std::to_string(c) + " " +
                      std::to_string(h) + " " + std::to_string(w) + " " +
                      std::to_string(num_classes) + "\n";
  bytes.reserve(bytes.size() + n * (sample_bytes + 2));
  for (int64_t i = 0; i < n; ++i) bytes.append(reinterpret_cast<const char*>(pixels(i)), sample_bytes);
  for (int64_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(label(i) & 0xff));
  for (int64_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>((label(i) >> 8) & 0xff));
  return Sha256Hex(bytes);
}

}  // namespace

InMemoryDataset::InMemoryDataset(std::string name, int c, int h, int w, int num_classes,
                                 std::vector<uint8_t> pixels, std::vector<int32_t> labels)
    : name_(std::move(name)),
      c_(c),
      h_(h),
      w_(w),
      num_classes_(num_classes),
      sample_bytes_(static_cast<int64_t>(c) * h * w),
      pixels_(std::move(pixels)),
      labels_(std::move(labels)) {
  CHECK_EQ(pixels_.size(), labels_.size() * static_cast<size_t>(sample_bytes_)) << name_;
  CHECK_GT(num_classes_, 0) << name_;
  for (int32_t y : labels_) CHECK(y >= 0 && y < num_classes_) << name_ << ": label " << y;
}

const std::string& InMemoryDataset::digest() const {
  std::call_once(digest_once_, [this] {
    digest_ = DigestOfSamples(
        c_, h_, w_, num_classes_, size(), [this](int64_t i) { return pixels(i); },
        [this](int64_t i) { return labels_[i]; });
  });
  return digest_;
}

std::string InMemoryDataset::DigestOf(const std::vector<int64_t>& indices) const {
  return DigestOfSamples(
      c_, h_, w_, num_classes_, static_cast<int64_t>(indices.size()),
      [&](int64_t i) { return pixels(indices[i]); }, [&](int64_t i) { return labels_[indices[i]]; });
}

Status InMemoryDataset::Get(int64_t i, Image* out) const {
  DCHECK(i >= 0 && i < size());
  out->Resize(c_, h_, w_);
  std::memcpy(out->data.data(), pixels(i), sample_bytes_);
  return Status::Ok();
}

std::string InMemoryDataset::description() const { return name_ + " (" + ShapeString(*this) + ")"; }

SubsetDataset::SubsetDataset(std::unique_ptr<Dataset> base, std::vector<int64_t> indices,
                             std::string spec)
    : base_(std::move(base)), indices_(std::move(indices)), spec_(std::move(spec)) {
  for (int64_t i : indices_) CHECK(i >= 0 && i < base_->size()) << spec_ << ": index " << i;
  const auto* in_memory = dynamic_cast<const InMemoryDataset*>(base_.get());
  digest_ = in_memory != nullptr
                ? Sha256Hex("strata.datasets.subset.v2 " + spec_ + " " + in_memory->DigestOf(indices_))
                : Sha256Hex(base_->digest() + " subset " + spec_);
}

std::string SubsetDataset::description() const {
  return base_->description() + " subset " + spec_ + " (" + ShapeString(*this) + ")";
}

namespace {

StatusOr<std::vector<int64_t>> FirstKPerClass(const Dataset& base, int k) {
  std::vector<int64_t> count(base.num_classes(), 0), picked;
  for (int64_t i = 0; i < base.size(); ++i) {
    if (count[base.label(i)]++ < k) picked.push_back(i);
  }
  for (int cls = 0; cls < base.num_classes(); ++cls) {
    if (count[cls] < k) {
      return InvalidArgumentError(base.description() +
                                  ": config field 'first_k_per_class.k': value " +
                                  std::to_string(k) + " exceeds the " + std::to_string(count[cls]) +
                                  " examples of class " + std::to_string(cls));
    }
  }
  return picked;
}

std::vector<int64_t> RandomK(const Dataset& base, int k, uint64_t seed) {
  std::vector<uint32_t> order(base.size());
  ShuffledIndices(seed, Stream("subset"), static_cast<uint32_t>(order.size()), order.data());
  std::vector<int64_t> picked(order.begin(), order.begin() + k);
  std::sort(picked.begin(), picked.end());
  return picked;
}

}  // namespace

StatusOr<std::unique_ptr<Dataset>> ApplySubset(const DatasetConfig& config,
                                               std::unique_ptr<Dataset> base) {
  if (!config.has_first_k_per_class() && !config.has_random_k()) return base;
  const int k =
      config.has_first_k_per_class() ? config.first_k_per_class().k() : config.random_k().k();
  const std::string field = config.has_first_k_per_class() ? "first_k_per_class.k" : "random_k.k";
  if (k <= 0) {
    return InvalidArgumentError(base->description() + ": config field '" + field + "': value " +
                                std::to_string(k) + " must be >= 1");
  }
  std::vector<int64_t> indices;
  std::string spec;
  if (config.has_first_k_per_class()) {
    STRATA_ASSIGN_OR_RETURN(indices, FirstKPerClass(*base, k));
    spec = "first_k_per_class=" + std::to_string(k);
  } else {
    if (k > base->size()) {
      return InvalidArgumentError(base->description() + ": config field 'random_k.k': value " +
                                  std::to_string(k) + " exceeds the " +
                                  std::to_string(base->size()) + " examples available");
    }
    indices = RandomK(*base, k, config.random_k().seed());
    spec = "random_k=" + std::to_string(k) + ",seed=" + std::to_string(config.random_k().seed());
  }
  return std::unique_ptr<Dataset>(
      std::make_unique<SubsetDataset>(std::move(base), std::move(indices), spec));
}

}  // namespace datasets
}  // namespace strata
