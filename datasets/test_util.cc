#include "datasets/test_util.h"

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "engine/check.h"
#include "engine/file_util.h"

// Test-only: the one translation unit that compiles stb_image_write.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb/stb_image_write.h"

namespace strata {
namespace datasets {
namespace testing {

std::string NewTempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/" + name + ".XXXXXX";
  CHECK(mkdtemp(templ.data()) != nullptr) << "mkdtemp " << templ;
  return templ;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  const Status s = WriteFileAtomic(path, bytes);
  CHECK(s.ok()) << s.ToString();
}

std::string Gzip(const std::string& bytes) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  CHECK_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, bytes.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  CHECK_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string IdxBytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::string out = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(d >> shift));
  }
  out.append(data.begin(), data.end());
  return out;
}

Image TestImage(int c, int h, int w, int seed) {
  Image img;
  img.Resize(c, h, w);
  for (int ch = 0; ch < c; ++ch) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const double v = 40 + 60.0 * ch + 100.0 * x / w + 50.0 * y / h +
                         20.0 * std::sin(0.3 * (x + seed) + 0.2 * y);
        img.plane(ch)[y * w + x] = static_cast<uint8_t>(std::lround(std::fmin(255, v)));
      }
    }
  }
  return img;
}

namespace {

std::vector<uint8_t> ToHwc(const Image& img) {
  std::vector<uint8_t> hwc(img.data.size());
  for (int ch = 0; ch < img.c; ++ch) {
    for (int p = 0; p < img.h * img.w; ++p) hwc[p * img.c + ch] = img.plane(ch)[p];
  }
  return hwc;
}

}  // namespace

void WritePng(const std::string& path, const Image& img) {
  const std::vector<uint8_t> hwc = ToHwc(img);
  CHECK(stbi_write_png(path.c_str(), img.w, img.h, img.c, hwc.data(), img.w * img.c)) << path;
}

void WriteJpeg(const std::string& path, const Image& img, int quality) {
  const std::vector<uint8_t> hwc = ToHwc(img);
  CHECK(stbi_write_jpg(path.c_str(), img.w, img.h, img.c, hwc.data(), quality)) << path;
}

}  // namespace testing
}  // namespace datasets
}  // namespace strata
