#include "datasets/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "datasets/image_ops.h"
#include "engine/check.h"

namespace strata {
namespace datasets {

const Normalization kFashionMnistNorm = {{0.2860f}, {0.3530f}};
const Normalization kCifar10Norm = {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
const Normalization kCifar100Norm = {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};
const Normalization kImageNetNorm = {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};

Normalization NormalizationFor(DatasetConfig::Kind kind) {
  switch (kind) {
    case DatasetConfig::FASHION_MNIST:
      return kFashionMnistNorm;
    case DatasetConfig::MNIST:
      return {{0.1307f}, {0.3081f}};
    case DatasetConfig::CIFAR10:
      return kCifar10Norm;
    case DatasetConfig::CIFAR100:
      return kCifar100Norm;
    case DatasetConfig::IMAGE_FOLDER:
      return kImageNetNorm;
    default:
      return {{0.5f}, {0.25f}};
  }
}

namespace {

class CenterCropStep : public Transform {
 public:
  CenterCropStep(int size, const char* name) : size_(size), name_(name) {
    CHECK_GT(size, 0) << name;
  }
  void Apply(const Image& in, RngCursor*, Image* out) const override {
    CropImage(in, (in.h - size_) / 2, (in.w - size_) / 2, size_, size_, out);
  }
  void OutputSize(int* h, int* w) const override { *h = *w = size_; }
  std::string name() const override { return name_ + "(" + std::to_string(size_) + ")"; }

 private:
  int size_;
  std::string name_;
};

class RandomCropStep : public Transform {
 public:
  RandomCropStep(int size, int padding) : size_(size), padding_(padding) {
    CHECK(size > 0 && padding >= 0) << "RandomCrop(" << size << ", " << padding << ")";
  }
  void Apply(const Image& in, RngCursor* rng, Image* out) const override {
    // Window origins range over the padded image; a too-small input still pads with zeros.
    const int ny = std::max(1, in.h + 2 * padding_ - size_ + 1);
    const int nx = std::max(1, in.w + 2 * padding_ - size_ + 1);
    const int y = static_cast<int>(rng->NextInt(ny)) - padding_;
    const int x = static_cast<int>(rng->NextInt(nx)) - padding_;
    CropImage(in, y, x, size_, size_, out);
  }
  void OutputSize(int* h, int* w) const override { *h = *w = size_; }
  std::string name() const override {
    return "RandomCrop(" + std::to_string(size_) + ",pad=" + std::to_string(padding_) + ")";
  }

 private:
  int size_, padding_;
};

class FlipStep : public Transform {
 public:
  explicit FlipStep(float p) : p_(p) { CHECK(p >= 0 && p <= 1) << "HorizontalFlip(" << p << ")"; }
  void Apply(const Image& in, RngCursor* rng, Image* out) const override {
    const bool flip = rng->NextUniform() < p_;
    out->Resize(in.c, in.h, in.w);
    if (!flip) {
      std::copy(in.data.begin(), in.data.end(), out->data.begin());
      return;
    }
    const uint8_t* src = in.data.data();
    uint8_t* dst = out->data.data();
    for (int row = 0; row < in.c * in.h; ++row, src += in.w, dst += in.w) {
      std::reverse_copy(src, src + in.w, dst);
    }
  }
  void OutputSize(int*, int*) const override {}
  std::string name() const override {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "HorizontalFlip(%g)", p_);
    return buf;
  }

 private:
  float p_;
};

class ResizeShorterStep : public Transform {
 public:
  explicit ResizeShorterStep(int size) : size_(size) { CHECK_GT(size, 0) << "ResizeShorter"; }
  void Apply(const Image& in, RngCursor*, Image* out) const override {
    int h = 0, w = 0;
    ShorterSideSize(in.h, in.w, size_, &h, &w);
    ResizeImage(in, h, w, out);
  }
  void OutputSize(int* h, int* w) const override {
    if (*h > 0 && *w > 0) ShorterSideSize(*h, *w, size_, h, w);
  }
  std::string name() const override { return "ResizeShorter(" + std::to_string(size_) + ")"; }

 private:
  int size_;
};

class RandomResizedCropStep : public Transform {
 public:
  RandomResizedCropStep(int size, float min_scale, float max_scale, float min_ratio,
                        float max_ratio)
      : size_(size), scale_{min_scale, max_scale}, ratio_{min_ratio, max_ratio} {
    CHECK(size > 0 && 0 < min_scale && min_scale <= max_scale && max_scale <= 1 && 0 < min_ratio &&
          min_ratio <= max_ratio)
        << "RandomResizedCrop(" << size << ", scale " << min_scale << ".." << max_scale
        << ", ratio " << min_ratio << ".." << max_ratio << ")";
  }
  void Apply(const Image& in, RngCursor* rng, Image* out) const override {
    int y = 0, x = 0, h = 0, w = 0;
    Window(in.h, in.w, rng, &y, &x, &h, &w);
    Image crop;
    CropImage(in, y, x, h, w, &crop);
    ResizeImage(crop, size_, size_, out);
  }
  void OutputSize(int* h, int* w) const override { *h = *w = size_; }
  std::string name() const override { return "RandomResizedCrop(" + std::to_string(size_) + ")"; }

 private:
  // torchvision.transforms.RandomResizedCrop.get_params, draw for draw.
  void Window(int H, int W, RngCursor* rng, int* y, int* x, int* h, int* w) const {
    const double area = static_cast<double>(H) * W;
    const double log_lo = std::log(ratio_[0]), log_hi = std::log(ratio_[1]);
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * (scale_[0] + (scale_[1] - scale_[0]) * rng->NextUniform());
      const double aspect = std::exp(log_lo + (log_hi - log_lo) * rng->NextUniform());
      *w = static_cast<int>(std::lround(std::sqrt(target * aspect)));
      *h = static_cast<int>(std::lround(std::sqrt(target / aspect)));
      if (0 < *w && *w <= W && 0 < *h && *h <= H) {
        *y = static_cast<int>(rng->NextInt(H - *h + 1));
        *x = static_cast<int>(rng->NextInt(W - *w + 1));
        return;
      }
    }
    const double in_ratio = static_cast<double>(W) / H;
    *w = W;
    *h = H;
    if (in_ratio < ratio_[0]) *h = std::max(1, static_cast<int>(std::lround(W / ratio_[0])));
    if (in_ratio > ratio_[1]) *w = std::max(1, static_cast<int>(std::lround(H * ratio_[1])));
    *y = (H - *h) / 2;
    *x = (W - *w) / 2;
  }

  int size_;
  float scale_[2], ratio_[2];
};

}  // namespace

std::shared_ptr<const Transform> PadTo(int size) {
  return std::make_shared<CenterCropStep>(size, "PadTo");
}
std::shared_ptr<const Transform> CenterCrop(int size) {
  return std::make_shared<CenterCropStep>(size, "CenterCrop");
}
std::shared_ptr<const Transform> RandomCrop(int size, int padding) {
  return std::make_shared<RandomCropStep>(size, padding);
}
std::shared_ptr<const Transform> HorizontalFlip(float p) { return std::make_shared<FlipStep>(p); }
std::shared_ptr<const Transform> ResizeShorter(int size) {
  return std::make_shared<ResizeShorterStep>(size);
}
std::shared_ptr<const Transform> RandomResizedCrop(int size, float min_scale, float max_scale,
                                                   float min_ratio, float max_ratio) {
  return std::make_shared<RandomResizedCropStep>(size, min_scale, max_scale, min_ratio, max_ratio);
}

Pipeline& Pipeline::Add(std::shared_ptr<const Transform> step) {
  CHECK(step != nullptr) << "Pipeline::Add(nullptr)";
  steps_.push_back(std::move(step));
  return *this;
}

Pipeline& Pipeline::Normalize(std::vector<float> mean, std::vector<float> std) {
  CHECK(!mean.empty() && mean.size() == std.size())
      << "Normalize: " << mean.size() << " means, " << std.size() << " stds";
  lut_.assign(mean.size(), {});
  for (size_t c = 0; c < mean.size(); ++c) {
    CHECK_GT(std[c], 0.0f) << "Normalize: std of channel " << c;
    for (int v = 0; v < 256; ++v) lut_[c][v] = (v / 255.0f - mean[c]) / std[c];
  }
  return *this;
}

void Pipeline::OutputSize(int h, int w, int* out_h, int* out_w) const {
  for (const auto& step : steps_) step->OutputSize(&h, &w);
  *out_h = h;
  *out_w = w;
}

const Image& Pipeline::RunPixels(const Image& in, uint64_t seed, int64_t epoch, int64_t index,
                                 Scratch* scratch) const {
  RngCursor rng(seed, Stream("augment", epoch, index));
  const Image* cur = &in;
  for (const auto& step : steps_) {
    Image* next = cur == &scratch->a ? &scratch->b : &scratch->a;
    step->Apply(*cur, &rng, next);
    cur = next;
  }
  return *cur;
}

void Pipeline::Run(const Image& in, uint64_t seed, int64_t epoch, int64_t index, Scratch* scratch,
                   float* out) const {
  ToFloat(RunPixels(in, seed, epoch, index, scratch), out);
}

void Pipeline::ToFloat(const Image& img, float* out) const {
  CHECK(lut_.size() <= 1 || static_cast<int>(lut_.size()) == img.c)
      << "Pipeline: Normalize has " << lut_.size() << " channels, the image " << img.c;
  const size_t plane = static_cast<size_t>(img.h) * img.w;
  for (int c = 0; c < img.c; ++c) {
    const uint8_t* src = img.plane(c);
    float* dst = out + c * plane;
    if (lut_.empty()) {
      for (size_t p = 0; p < plane; ++p) dst[p] = src[p] * (1.0f / 255.0f);
    } else {
      const std::array<float, 256>& lut = lut_[lut_.size() == 1 ? 0 : c];
      for (size_t p = 0; p < plane; ++p) dst[p] = lut[src[p]];
    }
  }
}

std::string Pipeline::Describe() const {
  std::string s;
  for (const auto& step : steps_) s += step->name() + " ";
  return s + "Normalize(" + std::to_string(lut_.size()) + " channels)";
}

Pipeline CifarStyle(bool train, bool pad_to_32, const Normalization& norm) {
  Pipeline p;
  if (pad_to_32) p.Add(PadTo(32));
  if (train) p.Add(RandomCrop(32, 4)).Add(HorizontalFlip(0.5f));
  p.Normalize(norm.mean, norm.std);
  return p;
}

Pipeline ImageNetStyle(bool train, const Normalization& norm) {
  Pipeline p;
  if (train) {
    p.Add(RandomResizedCrop(224)).Add(HorizontalFlip(0.5f));
  } else {
    p.Add(ResizeShorter(256)).Add(CenterCrop(224));
  }
  p.Normalize(norm.mean, norm.std);
  return p;
}

}  // namespace datasets
}  // namespace strata
