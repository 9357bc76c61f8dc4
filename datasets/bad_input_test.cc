// Every malformed input returns a Status naming the file (or config field), the field and
// the value; nothing crashes.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "datasets/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

using testing::Gzip;
using testing::IdxBytes;
using testing::NewTempDir;
using testing::WriteBytes;

// Expects `s` to fail with `code` and a message containing every one of `parts`.
void ExpectError(const Status& s, StatusCode code, const std::vector<std::string>& parts) {
  ASSERT_FALSE(s.ok()) << "expected an error containing '" << parts[0] << "'";
  EXPECT_EQ(s.code(), code) << s.ToString();
  for (const std::string& part : parts) {
    EXPECT_NE(s.message().find(part), std::string::npos)
        << "'" << part << "' missing from: " << s.ToString();
  }
}

Status OpenStatus(const std::string& text) {
  auto config = ParseDatasetConfig(text);
  if (!config.ok()) return config.status();
  return Open(*config).status();
}

// An MNIST directory whose files are the given bytes (raw).
std::string MnistDir(const std::string& images, const std::string& labels) {
  const std::string dir = NewTempDir("bad_mnist");
  WriteBytes(dir + "/train-images-idx3-ubyte", images);
  WriteBytes(dir + "/train-labels-idx1-ubyte", labels);
  return dir;
}

std::string Mnist(const std::string& dir) { return "kind: MNIST split: TRAIN path: '" + dir + "'"; }

const std::vector<uint8_t> kPixels(3 * 2 * 2, 9);
const std::string kImages = IdxBytes({3, 2, 2}, kPixels);
const std::string kLabels = IdxBytes({3}, {0, 1, 2});

TEST(BadInput, IdxWrongMagic) {
  std::string images = kImages;
  images[2] = 0x0D;  // float data
  std::string dir = MnistDir(images, kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {dir + "/train-images-idx3-ubyte", "'magic'", "0x0d"});
  dir = MnistDir(kImages, IdxBytes({3, 1}, {0, 1, 2}));  // labels with 2 dims
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-labels-idx1-ubyte", "'magic'", "0x02"});
  dir = MnistDir("", kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss, {"images", "'magic'", "0 bytes"});
}

TEST(BadInput, IdxTruncated) {
  std::string dir = MnistDir(kImages.substr(0, kImages.size() - 1), kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'data'", "11 bytes", "12", "truncated"});
  dir = MnistDir(kImages.substr(0, 9), kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss, {"images", "'dims'", "9 bytes"});
  const std::string gz = Gzip(kImages);
  dir = NewTempDir("bad_gz");
  WriteBytes(dir + "/train-images-idx3-ubyte.gz", gz.substr(0, gz.size() / 2));
  WriteBytes(dir + "/train-labels-idx1-ubyte", kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte.gz", "truncated gzip"});
}

TEST(BadInput, IdxZeroOrOverflowingDims) {
  std::string dir = MnistDir(IdxBytes({3, 0, 2}, {}), kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'dims[1]'", "value 0"});
  dir = MnistDir(IdxBytes({0x80000000u, 0x80000000u, 0x80000000u}, kPixels), kLabels);
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'data'", "12 bytes", "2147483648x2147483648"});
  // Zero images: no data bounds the height and width, which must still fit an int (found
  // by tools/fuzz idx_fuzzer: this opened as "0 x 1x-2147483648x1").
  dir = MnistDir(IdxBytes({0, 0x80000000u, 1}, {}), IdxBytes({0}, {}));
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'dims[1]'", "value 2147483648", "exceeds 2147483647"});
  dir = MnistDir(IdxBytes({0, 1, 0xffffffffu}, {}), IdxBytes({0}, {}));
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'dims[2]'", "value 4294967295"});
}

TEST(BadInput, IdxCountMismatchBetweenImagesAndLabels) {
  const std::string dir = MnistDir(kImages, IdxBytes({4}, {0, 1, 2, 3}));
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kDataLoss,
              {"train-images-idx3-ubyte", "'count'", "3 images", "4 labels"});
}

TEST(BadInput, IdxLabelOutOfRange) {
  const std::string dir = MnistDir(kImages, IdxBytes({3}, {0, 10, 2}));
  ExpectError(OpenStatus(Mnist(dir)), StatusCode::kInvalidArgument,
              {"train-labels-idx1-ubyte", "'label' of example 1", "value 10", "[0, 10)"});
}

TEST(BadInput, MissingFiles) {
  ExpectError(OpenStatus(Mnist("/nonexistent/strata")), StatusCode::kNotFound,
              {"/nonexistent/strata/train-images-idx3-ubyte.gz"});
  ExpectError(OpenStatus("kind: CIFAR10 split: TEST path: '/nonexistent/c'"), StatusCode::kNotFound,
              {"/nonexistent/c/test_batch.bin"});
  ExpectError(OpenStatus("kind: IMAGE_FOLDER path: '/nonexistent/i'"), StatusCode::kNotFound,
              {"/nonexistent/i"});
}

TEST(BadInput, CifarTruncatedAndLabelsOutOfRange) {
  const std::string dir = NewTempDir("bad_cifar");
  std::string record(1 + 3072, '\0');
  WriteBytes(dir + "/test_batch.bin", record + record.substr(0, 100));
  ExpectError(OpenStatus("kind: CIFAR10 split: TEST path: '" + dir + "'"), StatusCode::kDataLoss,
              {dir + "/test_batch.bin", "'size'", "3173", "3073"});
  record[0] = 10;
  WriteBytes(dir + "/test_batch.bin", record);
  ExpectError(OpenStatus("kind: CIFAR10 split: TEST path: '" + dir + "'"),
              StatusCode::kInvalidArgument, {"test_batch.bin", "'label' of record 0", "value 10"});
  std::string record100(2 + 3072, '\0');
  record100[1] = 100;
  WriteBytes(dir + "/test.bin", record100);
  ExpectError(OpenStatus("kind: CIFAR100 split: TEST path: '" + dir + "'"),
              StatusCode::kInvalidArgument, {"test.bin", "'fine_label'", "value 100"});
  record100[1] = 5;
  record100[0] = 20;
  WriteBytes(dir + "/test.bin", record100);
  ExpectError(OpenStatus("kind: CIFAR100 split: TEST path: '" + dir + "'"),
              StatusCode::kInvalidArgument, {"test.bin", "'coarse_label'", "value 20"});
}

TEST(BadInput, EmptyClassFolderAndNoClasses) {
  const std::string root = NewTempDir("bad_folder");
  ExpectError(OpenStatus("kind: IMAGE_FOLDER path: '" + root + "'"), StatusCode::kNotFound,
              {root, "'classes'", "no class folders"});
  ASSERT_EQ(mkdir((root + "/a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root + "/b").c_str(), 0755), 0);
  testing::WritePng(root + "/a/x.png", testing::TestImage(3, 4, 4, 0));
  WriteBytes(root + "/b/readme.txt", "no images here");
  ExpectError(OpenStatus("kind: IMAGE_FOLDER path: '" + root + "'"), StatusCode::kNotFound,
              {root + "/b", "'images' of class 1", "empty class folder"});
}

TEST(BadInput, UndecodableImageFailsInGetAndInTheLoader) {
  const std::string root = NewTempDir("bad_image");
  ASSERT_EQ(mkdir((root + "/a").c_str(), 0755), 0);
  testing::WritePng(root + "/a/good.png", testing::TestImage(3, 4, 4, 0));
  WriteBytes(root + "/a/worse.jpg", "\xff\xd8\xff garbage, not a JPEG");
  auto config = ParseDatasetConfig("kind: IMAGE_FOLDER path: '" + root + "' image { crop: 4 }");
  ASSERT_TRUE(config.ok());
  auto ds = Open(*config);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();  // decoding is lazy
  Image img;
  EXPECT_TRUE((*ds)->Get(0, &img).ok());
  ExpectError((*ds)->Get(1, &img), StatusCode::kDataLoss,
              {root + "/a/worse.jpg", "'image'", "cannot decode", "bytes"});
  LoaderOptions opt;
  opt.batch_size = 2;
  for (int threads : {0, 1}) {
    opt.prefetch_threads = threads;
    auto loader = Loader::Create(ds->get(), Pipeline(), opt);
    ASSERT_TRUE(loader.ok()) << loader.status().ToString();
    (*loader)->StartEpoch(0);
    Batch batch;
    auto next = (*loader)->Next(&batch);
    ExpectError(next.status(), StatusCode::kDataLoss, {"worse.jpg"});
    auto after = (*loader)->Next(&batch);
    ASSERT_TRUE(after.ok());
    EXPECT_FALSE(*after) << "the epoch stops after an error";
  }
}

TEST(BadInput, UnknownKindOrSplitInTheConfig) {
  ExpectError(OpenStatus("kind: PASCAL_VOC"), StatusCode::kInvalidArgument,
              {"DatasetConfig text", "PASCAL_VOC"});
  ExpectError(OpenStatus("split: VALIDATION"), StatusCode::kInvalidArgument, {"VALIDATION"});
  ExpectError(OpenStatus("path: '/x'"), StatusCode::kInvalidArgument,
              {"'kind'", "value 0", "KIND_UNSPECIFIED"});
  DatasetConfig config;
  config.set_kind(static_cast<DatasetConfig::Kind>(42));
  ExpectError(Open(config).status(), StatusCode::kInvalidArgument, {"'kind'", "value 42"});
  config.set_kind(DatasetConfig::FASHION_MNIST);
  ExpectError(Open(config).status(), StatusCode::kInvalidArgument,
              {"'split'", "value 0", "SPLIT_UNSPECIFIED", "FASHION_MNIST"});
  config.set_split(static_cast<DatasetConfig::Split>(7));
  ExpectError(Open(config).status(), StatusCode::kInvalidArgument, {"'split'", "value 7"});
  ExpectError(OpenStatus("kind: CIFAR10 split: TRAIN"), StatusCode::kInvalidArgument,
              {"'path'", "CIFAR10"});
  ExpectError(OpenStatus("kind: IDX idx_images: 'a'"), StatusCode::kInvalidArgument,
              {"'idx_labels'", "'a'"});
}

TEST(BadInput, SubsetLargerThanAvailable) {
  const std::string synthetic =
      "kind: SYNTHETIC split: TRAIN synthetic { num_examples: 20 num_classes: 4 channels: 1 "
      "height: 2 width: 2 } ";
  ExpectError(OpenStatus(synthetic + "first_k_per_class { k: 6 }"), StatusCode::kInvalidArgument,
              {"'first_k_per_class.k'", "value 6", "the 5 examples of class 0"});
  ExpectError(OpenStatus(synthetic + "random_k { k: 21 }"), StatusCode::kInvalidArgument,
              {"'random_k.k'", "value 21", "20 examples"});
  ExpectError(OpenStatus(synthetic + "random_k { k: 0 }"), StatusCode::kInvalidArgument,
              {"'random_k.k'", "value 0"});
  ExpectError(OpenStatus(synthetic + "first_k_per_class { k: -1 }"), StatusCode::kInvalidArgument,
              {"'first_k_per_class.k'", "value -1"});
}

TEST(BadInput, BadSyntheticAndImageOptionsAndLoaderOptions) {
  ExpectError(OpenStatus("kind: SYNTHETIC split: TRAIN synthetic { num_examples: 0 }"),
              StatusCode::kInvalidArgument, {"'synthetic.num_examples'", "value 0"});
  ExpectError(OpenStatus("kind: IMAGE_FOLDER path: '/tmp' image { channels: 2 }"),
              StatusCode::kInvalidArgument, {"'image.channels'", "value 2"});
  auto config = ParseDatasetConfig(
      "kind: SYNTHETIC split: TRAIN synthetic { num_examples: 4 num_classes: 2 channels: 3 "
      "height: 4 width: 4 }");
  ASSERT_TRUE(config.ok());
  auto ds = Open(*config);
  ASSERT_TRUE(ds.ok());
  LoaderOptions opt;
  opt.batch_size = 0;
  ExpectError(Loader::Create(ds->get(), Pipeline(), opt).status(), StatusCode::kInvalidArgument,
              {"batch_size 0"});
  opt.batch_size = 5;
  opt.drop_last = true;
  ExpectError(Loader::Create(ds->get(), Pipeline(), opt).status(), StatusCode::kInvalidArgument,
              {"no batches", "4 examples"});
  opt.drop_last = false;
  Pipeline two_channels;
  two_channels.Normalize({0.5f, 0.5f}, {1, 1});
  ExpectError(Loader::Create(ds->get(), two_channels, opt).status(), StatusCode::kInvalidArgument,
              {"Normalize has 2 channels", "samples 3"});
}

TEST(BadInput, VariableSizeSamplesNeedACrop) {
  const std::string root = NewTempDir("var_size");
  ASSERT_EQ(mkdir((root + "/a").c_str(), 0755), 0);
  testing::WritePng(root + "/a/x.png", testing::TestImage(3, 4, 6, 0));
  auto config = ParseDatasetConfig("kind: IMAGE_FOLDER path: '" + root + "'");
  ASSERT_TRUE(config.ok());
  auto ds = Open(*config);
  ASSERT_TRUE(ds.ok());
  ExpectError(Loader::Create(ds->get(), Pipeline(), LoaderOptions()).status(),
              StatusCode::kInvalidArgument, {"vary in size", "add a crop"});
}

}  // namespace
}  // namespace datasets
}  // namespace strata
