#include "datasets/synthetic.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "datasets/in_memory.h"
#include "engine/rng.h"

namespace strata {
namespace datasets {
namespace {

Status CheckRange(const char* field, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return Status::Ok();
  return InvalidArgumentError(std::string("config field 'synthetic.") + field + "': value " +
                              std::to_string(value) + " outside [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "]");
}

}  // namespace

StatusOr<std::unique_ptr<Dataset>> OpenSynthetic(const DatasetConfig::Synthetic& p, bool train) {
  STRATA_RETURN_IF_ERROR(CheckRange("num_examples", p.num_examples(), 1, 10000000));
  STRATA_RETURN_IF_ERROR(CheckRange("num_classes", p.num_classes(), 1, 65535));
  STRATA_RETURN_IF_ERROR(CheckRange("channels", p.channels(), 1, 4));
  STRATA_RETURN_IF_ERROR(CheckRange("height", p.height(), 1, 4096));
  STRATA_RETURN_IF_ERROR(CheckRange("width", p.width(), 1, 4096));
  const int64_t sample = int64_t{p.channels()} * p.height() * p.width();
  STRATA_RETURN_IF_ERROR(CheckRange("num_examples * channels * height * width",
                                    sample * p.num_examples(), 1, 1LL << 32));
  std::vector<uint8_t> prototypes(sample * p.num_classes());
  for (int k = 0; k < p.num_classes(); ++k) {
    const Philox rng(p.seed(), Stream("synthetic/prototype", k));
    for (int64_t j = 0; j < sample; ++j) prototypes[k * sample + j] = rng.Bits(j) & 0xff;
  }
  std::vector<uint8_t> pixels(sample * p.num_examples());
  std::vector<int32_t> labels(p.num_examples());
  const char* split = train ? "synthetic/train" : "synthetic/test";
  for (int i = 0; i < p.num_examples(); ++i) {
    labels[i] = i % p.num_classes();
    const Philox rng(p.seed(), Stream(split, i));
    const uint8_t* proto = &prototypes[labels[i] * sample];
    for (int64_t j = 0; j < sample; ++j) {
      const float v = proto[j] + 32.0f * rng.Normal(j);
      pixels[i * sample + j] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
  }
  const std::string name = std::string(split) + "[seed=" + std::to_string(p.seed()) + "]";
  return std::unique_ptr<Dataset>(
      std::make_unique<InMemoryDataset>(name, p.channels(), p.height(), p.width(), p.num_classes(),
                                        std::move(pixels), std::move(labels)));
}

}  // namespace datasets
}  // namespace strata
