// Pixel operations on 8-bit CHW images: decoding (stb_image), resizing (stb_image_resize),
// cropping. Private to //datasets; used by ImageFolder and the transforms.
#ifndef STRATA_DATASETS_IMAGE_OPS_H_
#define STRATA_DATASETS_IMAGE_OPS_H_

#include <string>

#include "datasets/dataset.h"

namespace strata {
namespace datasets {

// Decodes a JPEG or PNG held in `bytes` into `channels` (1 or 3) CHW planes. `path`
// names the source in errors (DataLoss with stb_image's reason).
Status DecodeImage(const std::string& path, const std::string& bytes, int channels, Image* out);

// Resizes every plane to out_h x out_w with stb_image_resize's default filters
// (Mitchell when shrinking, Catmull-Rom when enlarging; edges clamped).
// Same size copies. out must not alias in.
void ResizeImage(const Image& in, int out_h, int out_w, Image* out);

// Copies the window [y, y+h) x [x, x+w) of in; pixels outside in read as 0 (zero padding).
void CropImage(const Image& in, int y, int x, int h, int w, Image* out);

// The size after resizing so the shorter side is `shorter`, keeping the aspect ratio
// (the longer side truncated, as torchvision's Resize(int) does).
void ShorterSideSize(int h, int w, int shorter, int* out_h, int* out_w);

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_IMAGE_OPS_H_
