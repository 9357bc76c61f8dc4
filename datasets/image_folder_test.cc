#include <sys/stat.h>

#include <cmath>
#include <string>

#include "datasets/dataset.h"
#include "datasets/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

using testing::NewTempDir;
using testing::TestImage;
using testing::WriteBytes;

std::string MakeDir(const std::string& path) {
  EXPECT_EQ(mkdir(path.c_str(), 0755), 0) << path;
  return path;
}

// root/cat/{b.png, a.JPG}, root/dog/c.jpeg, root/dog/notes.txt (ignored).
struct Folder {
  std::string root = NewTempDir("imagefolder");
  Image png = TestImage(3, 20, 30, 1), jpg = TestImage(3, 24, 16, 2), jpeg = TestImage(3, 9, 9, 3);
  Folder() {
    MakeDir(root + "/dog");
    MakeDir(root + "/cat");
    testing::WritePng(root + "/cat/b.png", png);
    testing::WriteJpeg(root + "/cat/a.JPG", jpg, 100);
    testing::WriteJpeg(root + "/dog/c.jpeg", jpeg, 100);
    WriteBytes(root + "/dog/notes.txt", "not an image");
  }
  StatusOr<std::unique_ptr<Dataset>> Open(const std::string& image_options = "") const {
    auto config =
        ParseDatasetConfig("kind: IMAGE_FOLDER path: '" + root + "' image {" + image_options + "}");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return datasets::Open(*config);
  }
};

// Max and mean absolute difference of two same-shaped images.
void Diff(const Image& a, const Image& b, int* max_err, double* mean_err) {
  ASSERT_EQ(a.c, b.c);
  ASSERT_EQ(a.h, b.h);
  ASSERT_EQ(a.w, b.w);
  *max_err = 0;
  double sum = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const int d = std::abs(a.data[i] - b.data[i]);
    *max_err = std::max(*max_err, d);
    sum += d;
  }
  *mean_err = sum / a.data.size();
}

TEST(ImageFolder, SortedClassesAndFilesDecodedPixelsMatch) {
  const Folder f;
  auto ds = f.Open();
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ASSERT_EQ((*ds)->size(), 3);
  EXPECT_EQ((*ds)->num_classes(), 2);
  EXPECT_EQ((*ds)->height(), 0);  // sizes vary without a crop
  EXPECT_EQ((*ds)->label(0), 0);  // cat/a.JPG
  EXPECT_EQ((*ds)->label(1), 0);  // cat/b.png
  EXPECT_EQ((*ds)->label(2), 1);  // dog/c.jpeg
  Image img;
  int max_err = 0;
  double mean_err = 0;
  ASSERT_TRUE((*ds)->Get(1, &img).ok());
  Diff(img, f.png, &max_err, &mean_err);
  EXPECT_EQ(max_err, 0) << "PNG is lossless";
  // JPEG at quality 100: stb_image_write then uses all-ones quantization tables and no
  // chroma subsampling, so the only loss is rounding in the YCbCr conversion and the
  // 8-bit integer DCT/IDCT: measured max 2 and mean 0.18 levels on these images; the
  // bounds leave 2x headroom for other stb versions, and a real codec error (wrong
  // channel order, a shifted block) would show errors of tens of levels.
  for (int i : {0, 2}) {
    ASSERT_TRUE((*ds)->Get(i, &img).ok());
    Diff(img, i == 0 ? f.jpg : f.jpeg, &max_err, &mean_err);
    EXPECT_LE(max_err, 4) << "sample " << i;
    EXPECT_LE(mean_err, 0.5) << "sample " << i;
  }
}

TEST(ImageFolder, ResizeShorterSideThenCenterCropAndGrayscale) {
  const Folder f;
  auto ds = f.Open("resize_shorter: 12 crop: 10 channels: 1");
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->channels(), 1);
  EXPECT_EQ((*ds)->height(), 10);
  EXPECT_EQ((*ds)->width(), 10);
  Image img;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*ds)->Get(i, &img).ok());
    EXPECT_EQ(img.c, 1);
    EXPECT_EQ(img.h, 10);
    EXPECT_EQ(img.w, 10);
  }
}

TEST(ImageFolder, DigestFollowsTheFileListAndOptions) {
  const Folder f;
  auto a = f.Open(), b = f.Open(), cropped = f.Open("crop: 8");
  ASSERT_TRUE(a.ok() && b.ok() && cropped.ok());
  EXPECT_EQ((*a)->digest(), (*b)->digest());
  EXPECT_NE((*a)->digest(), (*cropped)->digest());
  testing::WritePng(f.root + "/dog/d.png", f.png);
  auto more = f.Open();
  ASSERT_TRUE(more.ok());
  EXPECT_NE((*a)->digest(), (*more)->digest());
  EXPECT_EQ((*more)->size(), 4);
}

}  // namespace
}  // namespace datasets
}  // namespace strata
