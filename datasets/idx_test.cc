#include "datasets/idx.h"

#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

using testing::Gzip;
using testing::IdxBytes;
using testing::NewTempDir;
using testing::WriteBytes;

// Five 3x4 images whose pixel p of image i is i*16 + p, labels i % 3.
struct Fixture {
  std::vector<uint8_t> pixels, labels;
  Fixture() {
    for (int i = 0; i < 5; ++i) {
      for (int p = 0; p < 12; ++p) pixels.push_back(static_cast<uint8_t>(i * 16 + p));
      labels.push_back(static_cast<uint8_t>(i % 3));
    }
  }
  std::string images() const { return IdxBytes({5, 3, 4}, pixels); }
  std::string label_file() const { return IdxBytes({5}, labels); }
};

void ExpectFixture(const Dataset& ds) {
  ASSERT_EQ(ds.size(), 5);
  EXPECT_EQ(ds.channels(), 1);
  EXPECT_EQ(ds.height(), 3);
  EXPECT_EQ(ds.width(), 4);
  Image img;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(ds.Get(i, &img).ok());
    ASSERT_EQ(img.data.size(), 12u);
    for (int p = 0; p < 12; ++p) EXPECT_EQ(img.data[p], i * 16 + p);
    EXPECT_EQ(ds.label(i), i % 3);
  }
}

TEST(Idx, RawAndGzipReadTheSameDataWithTheSameDigest) {
  const std::string dir = NewTempDir("idx");
  const Fixture f;
  WriteBytes(dir + "/raw-images", f.images());
  WriteBytes(dir + "/raw-labels", f.label_file());
  WriteBytes(dir + "/gz-images.gz", Gzip(f.images()));
  WriteBytes(dir + "/gz-labels.gz", Gzip(f.label_file()));
  auto raw = OpenIdxPair(dir + "/raw-images", dir + "/raw-labels", 0, "raw");
  auto gz = OpenIdxPair(dir + "/gz-images.gz", dir + "/gz-labels.gz", 0, "gz");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  ExpectFixture(**raw);
  ExpectFixture(**gz);
  EXPECT_EQ((*raw)->num_classes(), 3);  // inferred: max label + 1
  EXPECT_EQ((*raw)->digest(), (*gz)->digest());
  EXPECT_EQ((*raw)->digest().size(), 64u);
}

TEST(Idx, GzipLargerThanTheFirstBufferRoundTrips) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
  const std::string path = NewTempDir("idx") + "/big.gz";
  WriteBytes(path, Gzip(big));
  auto back = ReadMaybeGzip(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == big);
}

TEST(Idx, MnistDirectoryThroughConfigPrefersGzip) {
  const std::string dir = NewTempDir("mnist");
  const Fixture f;
  WriteBytes(dir + "/t10k-images-idx3-ubyte", f.images());  // raw test split
  WriteBytes(dir + "/t10k-labels-idx1-ubyte", f.label_file());
  WriteBytes(dir + "/train-images-idx3-ubyte.gz", Gzip(f.images()));
  WriteBytes(dir + "/train-labels-idx1-ubyte.gz", Gzip(f.label_file()));
  WriteBytes(dir + "/train-images-idx3-ubyte", "garbage: the .gz file wins");
  for (auto split : {DatasetConfig::TRAIN, DatasetConfig::TEST}) {
    DatasetConfig config;
    config.set_kind(DatasetConfig::MNIST);
    config.set_path(dir);
    config.set_split(split);
    auto ds = Open(config);
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    ExpectFixture(**ds);
    EXPECT_EQ((*ds)->num_classes(), 10);
  }
}

TEST(Idx, IdxKindResolvesFilesAgainstPath) {
  const std::string dir = NewTempDir("idx");
  const Fixture f;
  WriteBytes(dir + "/im", f.images());
  WriteBytes(dir + "/lb", f.label_file());
  auto config = ParseDatasetConfig("kind: IDX path: '" + dir +
                                   "' idx_images: 'im' idx_labels: 'lb' num_classes: 4");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto ds = Open(*config);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ExpectFixture(**ds);
  EXPECT_EQ((*ds)->num_classes(), 4);
}

}  // namespace
}  // namespace datasets
}  // namespace strata
