#include "datasets/image_ops.h"

#include <algorithm>
#include <cstring>

#include "engine/check.h"

// The one translation unit of strata that compiles stb_image and stb_image_resize.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#include "stb/stb_image.h"
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include "stb/stb_image_resize.h"

namespace strata {
namespace datasets {

Status DecodeImage(const std::string& path, const std::string& bytes, int channels, Image* out) {
  CHECK(channels == 1 || channels == 3) << "DecodeImage: channels " << channels;
  int w = 0, h = 0, file_channels = 0;
  unsigned char* hwc =
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &file_channels, channels);
  if (hwc == nullptr) {
    return DataLossError(path + ": field 'image': cannot decode " + std::to_string(bytes.size()) +
                         " bytes as JPEG/PNG (stb_image: " + stbi_failure_reason() + ")");
  }
  out->Resize(channels, h, w);
  const size_t plane = static_cast<size_t>(h) * w;
  for (int c = 0; c < channels; ++c) {
    uint8_t* dst = out->plane(c);
    for (size_t p = 0; p < plane; ++p) dst[p] = hwc[p * channels + c];
  }
  stbi_image_free(hwc);
  return Status::Ok();
}

void ResizeImage(const Image& in, int out_h, int out_w, Image* out) {
  CHECK(out != &in) << "ResizeImage: output aliases input";
  CHECK(out_h > 0 && out_w > 0) << "ResizeImage: " << out_h << "x" << out_w;
  out->Resize(in.c, out_h, out_w);
  if (out_h == in.h && out_w == in.w) {
    out->data = in.data;
    return;
  }
  for (int c = 0; c < in.c; ++c) {
    const int ok = stbir_resize_uint8(in.plane(c), in.w, in.h, 0, out->plane(c), out_w, out_h, 0,
                                      /*num_channels=*/1);
    CHECK(ok) << "stbir_resize_uint8 " << in.h << "x" << in.w << " -> " << out_h << "x" << out_w;
  }
}

void CropImage(const Image& in, int y, int x, int h, int w, Image* out) {
  CHECK(out != &in) << "CropImage: output aliases input";
  out->Resize(in.c, h, w);
  // Columns [x0, x1) of the window lie inside the input; the rest is padding.
  const int x0 = std::clamp(-x, 0, w), x1 = std::clamp(in.w - x, x0, w);
  for (int c = 0; c < in.c; ++c) {
    const uint8_t* src = in.plane(c);
    uint8_t* dst = out->plane(c);
    for (int r = 0; r < h; ++r, dst += w) {
      const int sy = y + r;
      if (sy < 0 || sy >= in.h) {
        std::memset(dst, 0, w);
        continue;
      }
      std::memset(dst, 0, x0);
      if (x1 > x0) std::memcpy(dst + x0, src + static_cast<size_t>(sy) * in.w + x + x0, x1 - x0);
      std::memset(dst + x1, 0, w - x1);
    }
  }
}

void ShorterSideSize(int h, int w, int shorter, int* out_h, int* out_w) {
  CHECK(h > 0 && w > 0 && shorter > 0) << "ShorterSideSize " << h << "x" << w << " " << shorter;
  if (h <= w) {
    *out_h = shorter;
    *out_w = std::max(1, static_cast<int>(static_cast<int64_t>(shorter) * w / h));
  } else {
    *out_w = shorter;
    *out_h = std::max(1, static_cast<int>(static_cast<int64_t>(shorter) * h / w));
  }
}

}  // namespace datasets
}  // namespace strata
