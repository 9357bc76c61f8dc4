// The vertical-layered model file (DESIGN.md): one file for every precision of a once-QAT
// model (Wu et al., TPAMI 2023, Sec. 3.2), as plain data. Layout in quant/vlmodel.proto:
//
//   magic "strata.vlmodel" | version 1 | section 0 | section 1 | ... | section K
//   section 0: header (N, b0, compensation, layer names/shapes/steps, per-width tensor
//              specs), FP tensors, every layer's b0-bit codes (packed), width b0's tensors
//   section k: every layer's enhance bit plane e_{b0+k} (packed), width b0+k's tensors
//   each section: SHA-256 of its bytes, and the previous section's digest (a chain)
//
// A prefix of the file that ends on a section boundary is itself a valid file: it loads as
// the (b0 + k)-bit model, codes q_{b0+k} = floor(q_N / 2^(N-b0-k)) (Eqs. 4-5).
//
//   VlModel m;
//   m.source_bits = 4, m.basic_bits = 2, m.bits = 4, m.compensation = true;
//   m.layers.push_back({"layer1.conv.weight", {16, 16, 3, 3}, s_w,
//                       VerticalCodes(w, s_w, 4, 4)});
//   m.fp_tensors.push_back({"fc.weight", {10, 64}, fc_values});
//   for (int b = 2; b <= 4; ++b) m.per_bits[b] = {{"act1.step", {1}, {s_a[b]}}, ...};
//   STRATA_RETURN_IF_ERROR(WriteVlModel("model.vlm", m));
//   std::vector<int64_t> sizes = SectionSizes(m);  // bytes of the 2-, 3-, 4-bit files
//   VlReadOptions o;
//   o.max_bits = 3;                                  // a device that runs 3 bits
//   STRATA_ASSIGN_OR_RETURN(VlModel m3, ReadVlModel("model.vlm", o));
//   Tensor w3 = DequantizeLayer(m3, m3.layers[0]);   // s_3 (q_3 + z_3)
//
// Errors (Status, naming the file, the section and the value): wrong magic (DataLoss),
// unknown version (FailedPrecondition), a file cut inside a section (DataLoss naming the
// section and how it was cut; with allow_truncated_prefix the complete sections before it
// load and read_info says so; a cut inside section 0 is always an error), a checksum or
// chain mismatch (DataLoss naming the section: corruption is never tolerated), a plane or
// code buffer of the wrong length (names layer and section), missing or unexpected
// tensors, invalid header fields, trailing bytes. Nothing CHECK-fails on file content.
#ifndef STRATA_QUANT_VLMODEL_FILE_H_
#define STRATA_QUANT_VLMODEL_FILE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "quant/vertical.h"

namespace strata {
namespace quant {

constexpr char kVlModelMagic[] = "strata.vlmodel";
constexpr uint32_t kVlModelVersion = 1;

struct VlTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;  // row-major, NumElements(shape)
};

struct VlLayer {
  std::string name;
  Shape shape;
  float source_step = 0.f;     // s_w; s_b = 2^(N-b) s_w (Eq. 3)
  std::vector<int32_t> codes;  // q_b at VlModel::bits, row-major, NumElements(shape)
};

// How ReadVlModel got its model (ignored by the writer).
struct VlReadInfo {
  int sections_declared = 0;     // sections the writer wrote
  int sections_read = 0;         // complete sections loaded (bits = basic_bits + read - 1)
  bool dropped_partial = false;  // allow_truncated_prefix dropped a section cut short
  std::string note;              // which section and how it was cut, when dropped_partial
  int64_t bytes_used = 0;        // the prefix of the file that was loaded
};

struct VlModel {
  int source_bits = kPaperSourceBits;  // N
  int basic_bits = kPaperBasicBits;    // b0
  int bits = 4;         // width of the codes held: b0 <= bits <= N; the file has bits-b0+1 sections
  bool compensation = true;
  std::vector<VlLayer> layers;
  std::vector<VlTensor> fp_tensors;  // shared full-precision tensors (first/last layers, biases)
  // Width b -> its own tensors (BN parameters/statistics, activation steps), for b in
  // [basic_bits, bits]; every width has the same names and shapes in the same order (a
  // missing width counts as empty).
  std::map<int, std::vector<VlTensor>> per_bits;
  VlReadInfo read_info;
};

struct VlReadOptions {
  int max_bits = 0;  // 0: every section; else stop after width max_bits (>= basic_bits)
  // A file cut inside section k >= 1 loads as its first k sections instead of failing.
  bool allow_truncated_prefix = false;
};

// InvalidArgument naming the layer/tensor/field when m is not writable: 1 <= b0 <= bits <=
// N <= 16, unique non-empty names, sizes matching shapes, codes in [-2^(bits-1),
// 2^(bits-1)), finite positive steps, per-width tensors consistent.
Status ValidateVlModel(const VlModel& m);

StatusOr<std::string> SerializeVlModel(const VlModel& m);
// Atomic (WriteFileAtomic).
Status WriteVlModel(const std::string& path, const VlModel& m);

// The model at the highest width the bytes hold (bounded by options.max_bits). Sections
// past max_bits are neither parsed nor checked. `source` names the bytes in messages.
StatusOr<VlModel> ParseVlModel(const std::string& bytes, const VlReadOptions& options,
                               const std::string& source);
StatusOr<VlModel> ReadVlModel(const std::string& path, const VlReadOptions& options = {});

// File size of each valid prefix: [k] = bytes of the file cut after section k, the
// (b0 + k)-bit model. m must pass ValidateVlModel (CHECKed).
std::vector<int64_t> SectionSizes(const VlModel& m);

// m at a lower width (basic_bits <= bits <= m.bits): codes floor-downsampled (Eq. 5), the
// widths above dropped. Equals what a file of m cut after section bits - b0 loads as.
VlModel DownsampleModel(const VlModel& m, int bits);

// ŵ_b = 2^(N-b) s_w (q_b + z_b) of one layer at m.bits (Eqs. 3, 6), shaped like the layer:
// bit-identical to VerticalQuantize's forward at that width for the same weights.
Tensor DequantizeLayer(const VlModel& m, const VlLayer& layer);

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_VLMODEL_FILE_H_
