// Per-sample transforms: composable steps on 8-bit CHW images, then a per-channel
// normalization to float. Randomness is a pure function of (seed, epoch, sample index):
// every sample gets its own cursor RngCursor(seed, Stream("augment", epoch, index)) and
// the steps draw from it in order, so results never depend on threads or prefetching.
//
//   Pipeline p;                                    // CIFAR-style training augmentation
//   p.Add(RandomCrop(32, /*padding=*/4)).Add(HorizontalFlip(0.5f))
//    .Normalize(kCifar10Norm.mean, kCifar10Norm.std);
//   p.Run(image, seed, epoch, index, &scratch, out);   // writes C*32*32 floats to out
//
// Padding is zero in pixel space (before normalization), as torchvision pads PIL images.
// Steps are immutable; a Pipeline is safe to Run from many threads, each with its own
// Scratch.
#ifndef STRATA_DATASETS_TRANSFORMS_H_
#define STRATA_DATASETS_TRANSFORMS_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "engine/rng.h"

namespace strata {
namespace datasets {

class Transform {
 public:
  virtual ~Transform() = default;
  // out != &in. Draws from *rng in a fixed order for a given input size.
  virtual void Apply(const Image& in, RngCursor* rng, Image* out) const = 0;
  // The output height and width for an input of *h x *w (0 = varies per sample).
  virtual void OutputSize(int* h, int* w) const = 0;
  virtual std::string name() const = 0;
};

// Zero-pads (or center-crops) to size x size around the center: 28x28 -> 32x32 adds two
// rows/columns on each side.
std::shared_ptr<const Transform> PadTo(int size);
// Center crop to size x size; smaller inputs are zero-padded.
std::shared_ptr<const Transform> CenterCrop(int size);
// CIFAR-style: zero-pad `padding` on every side, then a uniformly random size x size window.
std::shared_ptr<const Transform> RandomCrop(int size, int padding);
// Mirrors left-right with probability p (one uniform draw per sample, always made).
std::shared_ptr<const Transform> HorizontalFlip(float p);
// Resize so the shorter side is `size` (stb_image_resize, aspect kept).
std::shared_ptr<const Transform> ResizeShorter(int size);
// Inception-style crop (Szegedy et al. 2015; torchvision's RandomResizedCrop): a window of
// area fraction U(scale) and log-uniform aspect ratio, up to 10 tries, else the center
// crop with the ratio clamped; then resized to size x size.
std::shared_ptr<const Transform> RandomResizedCrop(int size, float min_scale = 0.08f,
                                                   float max_scale = 1.0f,
                                                   float min_ratio = 3.0f / 4.0f,
                                                   float max_ratio = 4.0f / 3.0f);

// Per-channel statistics of pixel/255 on each training set.
struct Normalization {
  std::vector<float> mean, std;
};
extern const Normalization kFashionMnistNorm;
extern const Normalization kCifar10Norm;
extern const Normalization kCifar100Norm;
extern const Normalization kImageNetNorm;
// The normalization of a model trained on data of `kind`: the constants above, MNIST's
// (0.1307, 0.3081), and (0.5, 0.25) for IDX and SYNTHETIC sets. The one table: training,
// evaluation, model files and ensembles all normalize through it.
Normalization NormalizationFor(DatasetConfig::Kind kind);

class Pipeline {
 public:
  struct Scratch {
    Image a, b;
  };

  Pipeline& Add(std::shared_ptr<const Transform> step);
  // out = (pixel / 255 - mean[c]) / std[c]; one value broadcasts to every channel.
  // Default: mean 0, std 1. CHECKs sizes and std > 0.
  Pipeline& Normalize(std::vector<float> mean, std::vector<float> std);

  // Output height/width for an input of h x w (0 = varies per sample).
  void OutputSize(int h, int w, int* out_h, int* out_w) const;
  // Transforms `in` (sample `index` of `epoch`; not aliasing *scratch) and writes its
  // C*H*W floats, CHW, to out: ToFloat(RunPixels(...), out).
  void Run(const Image& in, uint64_t seed, int64_t epoch, int64_t index, Scratch* scratch,
           float* out) const;
  // The 8-bit image after the steps, before normalization (lives in *scratch or is `in`).
  const Image& RunPixels(const Image& in, uint64_t seed, int64_t epoch, int64_t index,
                         Scratch* scratch) const;
  // Normalizes img into img.c * img.h * img.w floats. CHECKs the channel count.
  void ToFloat(const Image& img, float* out) const;
  // Channels Normalize was given (0: none; 1 broadcasts to any channel count).
  int normalize_channels() const { return static_cast<int>(lut_.size()); }
  // e.g. "RandomCrop(32,pad=4) HorizontalFlip(0.5) Normalize(3 channels)".
  std::string Describe() const;

 private:
  std::vector<std::shared_ptr<const Transform>> steps_;
  std::vector<std::array<float, 256>> lut_;  // per channel (or one, broadcast)
};

// The standard recipes. CIFAR style: train = [PadTo(32)] RandomCrop(32, 4) + flip; eval =
// [PadTo(32)] only. pad_to_32 serves 28x28 inputs (Fashion-MNIST).
Pipeline CifarStyle(bool train, bool pad_to_32, const Normalization& norm);
// ImageNet style: train = RandomResizedCrop(224) + flip; eval = ResizeShorter(256) +
// CenterCrop(224).
Pipeline ImageNetStyle(bool train, const Normalization& norm);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_TRANSFORMS_H_
