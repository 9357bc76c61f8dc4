// Test helpers: write small files in the real on-disk formats. Test-only; CHECK-fails on
// I/O errors (a test's own scratch directory must be writable).
#ifndef STRATA_DATASETS_TEST_UTIL_H_
#define STRATA_DATASETS_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {
namespace testing {

// A fresh directory under $TEST_TMPDIR (or /tmp).
std::string NewTempDir(const std::string& name);
void WriteBytes(const std::string& path, const std::string& bytes);
// gzip member (RFC 1952) of bytes, via zlib.
std::string Gzip(const std::string& bytes);
// An IDX ubyte file: magic 00 00 08 <ndims>, big-endian dims, data.
std::string IdxBytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data);
// A smooth, deterministic test image (gradients plus a seeded wobble), CHW.
Image TestImage(int c, int h, int w, int seed);
// PNG / JPEG files written with stb_image_write (from the CHW image).
void WritePng(const std::string& path, const Image& img);
void WriteJpeg(const std::string& path, const Image& img, int quality);

}  // namespace testing
}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_TEST_UTIL_H_
