#include "datasets/transforms.h"

#include <cmath>
#include <set>
#include <utility>

#include "datasets/image_ops.h"
#include "datasets/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

using testing::TestImage;

// The reference for every crop: pixel (y, x) of the zero-padded input, by definition.
uint8_t PaddedPixel(const Image& in, int c, int y, int x) {
  if (y < 0 || y >= in.h || x < 0 || x >= in.w) return 0;
  return in.plane(c)[y * in.w + x];
}

TEST(Transforms, PadTo32CentersA28x28Image) {
  const Image in = TestImage(1, 28, 28, 0);
  Pipeline p;
  p.Add(PadTo(32));
  Pipeline::Scratch s;
  const Image& out = p.RunPixels(in, 1, 0, 0, &s);
  ASSERT_EQ(out.h, 32);
  ASSERT_EQ(out.w, 32);
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 32; ++x) ASSERT_EQ(out.data[y * 32 + x], PaddedPixel(in, 0, y - 2, x - 2));
  }
}

// RandomCrop(32, 4) output is some window of the zero-padded input; all 81 windows occur.
TEST(Transforms, RandomCropIsAWindowOfThePaddedImageAndCoversAllOffsets) {
  const Image in = TestImage(3, 32, 32, 5);
  Pipeline p;
  p.Add(RandomCrop(32, 4));
  Pipeline::Scratch s;
  std::set<std::pair<int, int>> seen;
  for (int index = 0; index < 2000; ++index) {
    const Image& out = p.RunPixels(in, 3, 0, index, &s);
    bool found = false;
    for (int dy = -4; dy <= 4 && !found; ++dy) {
      for (int dx = -4; dx <= 4 && !found; ++dx) {
        bool match = true;
        for (int c = 0; c < 3 && match; ++c) {
          for (int y = 0; y < 32 && match; ++y) {
            for (int x = 0; x < 32 && match; ++x) {
              match = out.plane(c)[y * 32 + x] == PaddedPixel(in, c, y + dy, x + dx);
            }
          }
        }
        if (match) seen.insert({dy, dx}), found = true;
      }
    }
    ASSERT_TRUE(found) << "sample " << index;
  }
  EXPECT_EQ(seen.size(), 81u);
}

TEST(Transforms, FlipMirrorsWithProbabilityP) {
  const Image in = TestImage(2, 5, 7, 0);
  Pipeline always, never, half;
  always.Add(HorizontalFlip(1.0f));
  never.Add(HorizontalFlip(0.0f));
  half.Add(HorizontalFlip(0.5f));
  Pipeline::Scratch s;
  EXPECT_EQ(never.RunPixels(in, 1, 0, 0, &s).data, in.data);
  const Image& out = always.RunPixels(in, 1, 0, 0, &s);
  for (int c = 0; c < 2; ++c) {
    for (int y = 0; y < 5; ++y) {
      for (int x = 0; x < 7; ++x) EXPECT_EQ(out.plane(c)[y * 7 + x], in.plane(c)[y * 7 + 6 - x]);
    }
  }
  int flipped = 0;
  for (int i = 0; i < 4000; ++i) flipped += half.RunPixels(in, 1, 0, i, &s).data != in.data;
  EXPECT_NEAR(flipped, 2000, 200);  // binomial sd ~32; 6 sd
}

TEST(Transforms, RandomnessIsAPureFunctionOfSeedEpochIndex) {
  const Image in = TestImage(3, 32, 32, 1);
  const Pipeline p = CifarStyle(/*train=*/true, /*pad_to_32=*/false, kCifar10Norm);
  Pipeline::Scratch s1, s2;
  auto run = [&](uint64_t seed, int64_t epoch, int64_t index, Pipeline::Scratch* s) {
    std::vector<float> out(3 * 32 * 32);
    p.Run(in, seed, epoch, index, s, out.data());
    return out;
  };
  EXPECT_EQ(run(1, 2, 3, &s1), run(1, 2, 3, &s2));
  int differ_epoch = 0, differ_index = 0, differ_seed = 0;
  for (int i = 0; i < 20; ++i) {
    differ_epoch += run(1, 2, i, &s1) != run(1, 3, i, &s2);
    differ_index += run(1, 2, i, &s1) != run(1, 2, i + 1, &s2);
    differ_seed += run(1, 2, i, &s1) != run(2, 2, i, &s2);
  }
  EXPECT_GE(differ_epoch, 15);  // 1/162 chance per sample of the same crop and flip
  EXPECT_GE(differ_index, 15);
  EXPECT_GE(differ_seed, 15);
}

TEST(Transforms, NormalizationForEveryKindHasTheDataChannels) {
  EXPECT_EQ(NormalizationFor(DatasetConfig::FASHION_MNIST).mean, kFashionMnistNorm.mean);
  EXPECT_EQ(NormalizationFor(DatasetConfig::CIFAR100).std, kCifar100Norm.std);
  EXPECT_EQ(NormalizationFor(DatasetConfig::IMAGE_FOLDER).mean, kImageNetNorm.mean);
  EXPECT_EQ(NormalizationFor(DatasetConfig::MNIST).mean, std::vector<float>{0.1307f});
  for (auto kind : {DatasetConfig::FASHION_MNIST, DatasetConfig::MNIST, DatasetConfig::IDX,
                    DatasetConfig::SYNTHETIC}) {
    EXPECT_EQ(NormalizationFor(kind).mean.size(), 1u) << kind;  // one gray channel
  }
  for (auto kind : {DatasetConfig::CIFAR10, DatasetConfig::CIFAR100, DatasetConfig::IMAGE_FOLDER}) {
    EXPECT_EQ(NormalizationFor(kind).std.size(), 3u) << kind;
  }
}

TEST(Transforms, NormalizeIsPerChannelOnPixelOver255) {
  Image in;
  in.Resize(3, 1, 2);
  in.data = {0, 255, 10, 20, 128, 200};
  Pipeline p;
  p.Normalize({0.5f, 0.25f, 0.0f}, {0.5f, 2.0f, 1.0f});
  Pipeline::Scratch s;
  float out[6];
  p.Run(in, 0, 0, 0, &s, out);
  for (int i = 0; i < 6; ++i) {
    const float mean[] = {0.5f, 0.25f, 0.0f}, std[] = {0.5f, 2.0f, 1.0f};
    EXPECT_FLOAT_EQ(out[i], (in.data[i] / 255.0f - mean[i / 2]) / std[i / 2]);
  }
}

// stb_image_resize against closed forms: a constant image stays constant, an affine ramp
// stays an affine ramp away from the clamped edges (the filters reproduce linear functions).
TEST(Transforms, ResizeMatchesClosedForms) {
  Image flat, ramp, out;
  flat.Resize(1, 40, 60);
  std::fill(flat.data.begin(), flat.data.end(), 77);
  ResizeImage(flat, 17, 23, &out);
  for (uint8_t v : out.data) ASSERT_EQ(v, 77);
  ResizeImage(flat, 80, 90, &out);
  for (uint8_t v : out.data) ASSERT_EQ(v, 77);
  ramp.Resize(1, 8, 200);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 200; ++x) ramp.data[y * 200 + x] = static_cast<uint8_t>(x);
  }
  ResizeImage(ramp, 8, 100, &out);  // x' samples the input at 2x' + 0.5
  for (int x = 5; x < 95; ++x) EXPECT_NEAR(out.data[x], 2 * x + 0.5, 1.0) << x;
  ResizeImage(ramp, 8, 200, &out);
  EXPECT_EQ(out.data, ramp.data);
}

TEST(Transforms, ImageNetRecipesProduceTheirSizes) {
  const Image in = TestImage(3, 300, 400, 2);
  Pipeline::Scratch s;
  const Pipeline eval = ImageNetStyle(false, kImageNetNorm);
  const Pipeline train = ImageNetStyle(true, kImageNetNorm);
  int h = 0, w = 0;
  eval.OutputSize(0, 0, &h, &w);
  EXPECT_EQ(h, 224);
  const Image& e = eval.RunPixels(in, 1, 0, 0, &s);
  EXPECT_EQ(e.h, 224);
  EXPECT_EQ(e.w, 224);
  for (int i = 0; i < 50; ++i) {
    const Image& t = train.RunPixels(in, 1, 0, i, &s);
    ASSERT_EQ(t.h, 224);
    ASSERT_EQ(t.w, 224);
  }
  Image rs;
  ShorterSideSize(300, 400, 256, &h, &w);
  EXPECT_EQ(h, 256);
  EXPECT_EQ(w, 341);  // 256 * 400 / 300 = 341.33, truncated as torchvision does
}

TEST(Transforms, RandomResizedCropWithFullScaleAndMatchingRatioIsAPlainResize) {
  const Image in = TestImage(3, 50, 50, 4);
  Pipeline p;
  p.Add(RandomResizedCrop(25, 1.0f, 1.0f, 1.0f, 1.0f));
  Pipeline::Scratch s;
  Image expected;
  ResizeImage(in, 25, 25, &expected);
  EXPECT_EQ(p.RunPixels(in, 9, 1, 2, &s).data, expected.data);
}

}  // namespace
}  // namespace datasets
}  // namespace strata
