#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

using testing::NewTempDir;
using testing::WriteBytes;

// Pixel p of record r: (r * 31 + p * 7) mod 256, so every byte position is checked.
uint8_t PixelValue(int r, int p) { return static_cast<uint8_t>((r * 31 + p * 7) & 0xff); }

std::string Records(int first, int count, int label_bytes, int num_classes) {
  std::string out;
  for (int r = first; r < first + count; ++r) {
    if (label_bytes == 2) out.push_back(static_cast<char>(r % 20));  // coarse label
    out.push_back(static_cast<char>(r % num_classes));
    for (int p = 0; p < 3072; ++p) out.push_back(static_cast<char>(PixelValue(r, p)));
  }
  return out;
}

void ExpectRecords(const Dataset& ds, int count, int num_classes) {
  ASSERT_EQ(ds.size(), count);
  EXPECT_EQ(ds.num_classes(), num_classes);
  EXPECT_EQ(ds.channels(), 3);
  EXPECT_EQ(ds.height(), 32);
  EXPECT_EQ(ds.width(), 32);
  Image img;
  for (int r = 0; r < count; ++r) {
    ASSERT_TRUE(ds.Get(r, &img).ok());
    EXPECT_EQ(ds.label(r), r % num_classes);
    // CIFAR's 1024 R, 1024 G, 1024 B bytes are the CHW planes.
    for (int p = 0; p < 3072; ++p) ASSERT_EQ(img.data[p], PixelValue(r, p)) << r << " " << p;
  }
}

TEST(Cifar, Cifar10ReadsFiveTrainBatchesInOrderAndTheTestBatch) {
  const std::string dir = NewTempDir("cifar10");
  for (int b = 1; b <= 5; ++b) {
    WriteBytes(dir + "/data_batch_" + std::to_string(b) + ".bin", Records((b - 1) * 3, 3, 1, 10));
  }
  WriteBytes(dir + "/test_batch.bin", Records(0, 4, 1, 10));
  DatasetConfig config;
  config.set_kind(DatasetConfig::CIFAR10);
  config.set_path(dir);
  config.set_split(DatasetConfig::TRAIN);
  auto train = Open(config);
  ASSERT_TRUE(train.ok()) << train.status().ToString();
  ExpectRecords(**train, 15, 10);
  config.set_split(DatasetConfig::TEST);
  auto test = Open(config);
  ASSERT_TRUE(test.ok()) << test.status().ToString();
  ExpectRecords(**test, 4, 10);
  EXPECT_NE((*train)->digest(), (*test)->digest());
}

TEST(Cifar, Cifar100UsesFineLabels) {
  const std::string dir = NewTempDir("cifar100");
  WriteBytes(dir + "/train.bin", Records(0, 7, 2, 100));
  WriteBytes(dir + "/test.bin", Records(50, 2, 2, 100));
  auto config = ParseDatasetConfig("kind: CIFAR100 split: TRAIN path: '" + dir + "'");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto train = Open(*config);
  ASSERT_TRUE(train.ok()) << train.status().ToString();
  ExpectRecords(**train, 7, 100);
}

}  // namespace
}  // namespace datasets
}  // namespace strata
