// Writing the vertical-layered model file, and the model-level helpers (see vlmodel_file.h).
// Reading lives in vlmodel_read.cc.
#include "quant/vlmodel_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "quant/bitplanes.h"
#include "quant/vertical.h"
#include "quant/vlmodel.pb.h"
#include "quant/vlmodel_internal.h"

namespace strata {
namespace quant {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "float data are stored little-endian");

namespace internal {

int64_t CheckedNumel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxVlElements / d)) return -1;
    n *= d;
  }
  return n;
}

std::string SectionName(int k, int basic_bits) {
  std::string s = "section " + std::to_string(k);
  if (basic_bits > 0)
    s += " (" + std::to_string(basic_bits + k) + "-bit" + (k ? ")" : " basic layer)");
  return s;
}

}  // namespace internal

namespace {

using internal::CheckedNumel;

Status Invalid(const std::string& what) {
  return InvalidArgumentError("vertical-layered model: " + what);
}

Status CheckTensor(const VlTensor& t, const std::string& where) {
  const int64_t n = CheckedNumel(t.shape);
  if (t.name.empty()) return Invalid(where + ": a tensor has no name");
  if (n < 0)
    return Invalid(where + ": tensor '" + t.name + "' has invalid shape " + ShapeStr(t.shape));
  if (static_cast<int64_t>(t.values.size()) != n) {
    return Invalid(where + ": tensor '" + t.name + "' holds " + std::to_string(t.values.size()) +
                   " values for shape " + ShapeStr(t.shape));
  }
  return Status::Ok();
}

Status CheckLayer(const VlLayer& l, int bits) {
  const int64_t n = CheckedNumel(l.shape);
  if (n < 0) return Invalid("layer '" + l.name + "' has invalid shape " + ShapeStr(l.shape));
  if (static_cast<int64_t>(l.codes.size()) != n) {
    return Invalid("layer '" + l.name + "' holds " + std::to_string(l.codes.size()) +
                   " codes for shape " + ShapeStr(l.shape));
  }
  if (!(std::isfinite(l.source_step) && l.source_step > 0.f)) {
    return Invalid("layer '" + l.name + "' has source step " + std::to_string(l.source_step) +
                   " (must be finite and > 0)");
  }
  const int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
  for (size_t i = 0; i < l.codes.size(); ++i) {
    if (l.codes[i] < lo || l.codes[i] > hi) {
      return Invalid("layer '" + l.name + "' code " + std::to_string(l.codes[i]) + " at " +
                     std::to_string(i) + " is not a " + std::to_string(bits) + "-bit code");
    }
  }
  return Status::Ok();
}

// Every width's tensors have width basic_bits' names and shapes, in order.
Status CheckPerBits(const VlModel& m) {
  static const std::vector<VlTensor> kNone;
  for (const auto& [b, tensors] : m.per_bits) {
    if (b < m.basic_bits || b > m.bits) {
      return Invalid("per_bits has width " + std::to_string(b) + " outside [" +
                     std::to_string(m.basic_bits) + ", " + std::to_string(m.bits) + "]");
    }
  }
  auto at = [&](int b) -> const std::vector<VlTensor>& {
    auto it = m.per_bits.find(b);
    return it == m.per_bits.end() ? kNone : it->second;
  };
  const std::vector<VlTensor>& first = at(m.basic_bits);
  for (int b = m.basic_bits; b <= m.bits; ++b) {
    const std::vector<VlTensor>& ts = at(b);
    const std::string where = std::to_string(b) + "-bit tensors";
    std::set<std::string> names;
    for (const VlTensor& t : ts) {
      STRATA_RETURN_IF_ERROR(CheckTensor(t, where));
      if (!names.insert(t.name).second) return Invalid(where + ": duplicate '" + t.name + "'");
    }
    for (size_t i = 0; i < std::max(ts.size(), first.size()); ++i) {
      if (i >= ts.size() || i >= first.size() || ts[i].name != first[i].name ||
          ts[i].shape != first[i].shape) {
        const VlTensor& t = i < ts.size() ? ts[i] : first[i];
        return Invalid(where + ": tensor " + std::to_string(i) + " ('" + t.name +
                       "') differs from the " + std::to_string(m.basic_bits) +
                       "-bit tensors' names and shapes (every width needs the same list)");
      }
    }
  }
  return Status::Ok();
}

void ToProto(const VlTensor& t, pb::VlFloatTensor* p) {
  p->set_name(t.name);
  for (int64_t d : t.shape) p->add_shape(d);
  p->set_data(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
}

const std::vector<VlTensor>& TensorsOf(const VlModel& m, int b) {
  static const std::vector<VlTensor> kNone;
  auto it = m.per_bits.find(b);
  return it == m.per_bits.end() ? kNone : it->second;
}

pb::VlSection SectionZero(const VlModel& m) {
  pb::VlSection s;
  s.set_index(0);
  s.set_bits(m.basic_bits);
  pb::VlHeader* h = s.mutable_header();
  h->set_source_bits(m.source_bits);
  h->set_basic_bits(m.basic_bits);
  h->set_compensation(m.compensation);
  h->set_num_sections(m.bits - m.basic_bits + 1);
  for (const VlLayer& l : m.layers) {
    pb::VlLayerHeader* lh = h->add_layers();
    lh->set_name(l.name);
    for (int64_t d : l.shape) lh->add_shape(d);
    lh->set_source_step(l.source_step);
    s.add_layer_bits(PackCodes(DownsampleCodes(l.codes, m.bits, m.basic_bits), m.basic_bits));
  }
  for (const VlTensor& t : TensorsOf(m, m.basic_bits)) {
    pb::VlTensorSpec* spec = h->add_per_bits_tensors();
    spec->set_name(t.name);
    for (int64_t d : t.shape) spec->add_shape(d);
  }
  for (const VlTensor& t : m.fp_tensors) ToProto(t, s.add_fp_tensors());
  return s;
}

// The file in pieces: [0] = magic, version and section 0; [k] = section k.
std::vector<std::string> Pieces(const VlModel& m) {
  pb::VlModelFile preamble;
  preamble.set_magic(kVlModelMagic);
  preamble.set_version(kVlModelVersion);
  std::vector<std::string> pieces = {preamble.SerializeAsString()};
  std::string previous;
  for (int b = m.basic_bits; b <= m.bits; ++b) {
    pb::VlSection s;
    if (b == m.basic_bits) {
      s = SectionZero(m);
    } else {
      s.set_index(b - m.basic_bits);
      s.set_bits(b);
      s.set_previous_sha256(previous);
      for (const VlLayer& l : m.layers) {  // e_b = q_b - 2 q_{b-1} (Eq. 3)
        s.add_layer_bits(PackBits(EnhancePlane(DownsampleCodes(l.codes, m.bits, b))));
      }
    }
    for (const VlTensor& t : TensorsOf(m, b)) ToProto(t, s.add_tensors());
    pb::VlModelFile record;
    pb::VlSectionRecord* r = record.add_sections();
    r->set_payload(s.SerializeAsString());
    r->set_sha256(Sha256Hex(r->payload()));
    previous = r->sha256();
    if (b == m.basic_bits) {
      pieces[0] += record.SerializeAsString();
    } else {
      pieces.push_back(record.SerializeAsString());
    }
  }
  return pieces;
}

}  // namespace

Status ValidateVlModel(const VlModel& m) {
  if (!(m.basic_bits >= 1 && m.basic_bits <= m.bits && m.bits <= m.source_bits &&
        m.source_bits <= kMaxVerticalBits)) {
    return Invalid("widths basic_bits " + std::to_string(m.basic_bits) + ", bits " +
                   std::to_string(m.bits) + ", source_bits " + std::to_string(m.source_bits) +
                   " (need 1 <= basic_bits <= bits <= source_bits <= " +
                   std::to_string(kMaxVerticalBits) + ")");
  }
  std::set<std::string> names;
  for (const VlLayer& l : m.layers) {
    if (l.name.empty()) return Invalid("a layer has no name");
    if (!names.insert(l.name).second) return Invalid("duplicate layer '" + l.name + "'");
    STRATA_RETURN_IF_ERROR(CheckLayer(l, m.bits));
  }
  names.clear();
  for (const VlTensor& t : m.fp_tensors) {
    STRATA_RETURN_IF_ERROR(CheckTensor(t, "fp_tensors"));
    if (!names.insert(t.name).second) return Invalid("fp_tensors: duplicate '" + t.name + "'");
  }
  return CheckPerBits(m);
}

StatusOr<std::string> SerializeVlModel(const VlModel& m) {
  STRATA_RETURN_IF_ERROR(ValidateVlModel(m));
  std::string out;
  for (const std::string& piece : Pieces(m)) out += piece;
  return out;
}

Status WriteVlModel(const std::string& path, const VlModel& m) {
  StatusOr<std::string> bytes = SerializeVlModel(m);
  if (!bytes.ok()) return bytes.status().Annotate("writing " + path + ": ");
  return WriteFileAtomic(path, *bytes);
}

std::vector<int64_t> SectionSizes(const VlModel& m) {
  const Status valid = ValidateVlModel(m);
  CHECK(valid.ok()) << "SectionSizes: " << valid.ToString();
  std::vector<int64_t> sizes;
  int64_t total = 0;
  for (const std::string& piece : Pieces(m)) sizes.push_back(total += piece.size());
  return sizes;
}

VlModel DownsampleModel(const VlModel& m, int bits) {
  CHECK(bits >= m.basic_bits && bits <= m.bits)
      << "DownsampleModel: width " << bits << " outside [" << m.basic_bits << ", " << m.bits << "]";
  VlModel out = m;
  out.bits = bits;
  for (VlLayer& l : out.layers) l.codes = DownsampleCodes(l.codes, m.bits, bits);  // Eq. 5
  out.per_bits.erase(out.per_bits.upper_bound(bits), out.per_bits.end());
  out.read_info = {};
  return out;
}

Tensor DequantizeLayer(const VlModel& m, const VlLayer& layer) {
  return VerticalDequantize(layer.codes, layer.shape, layer.source_step, m.source_bits, m.bits,
                            m.compensation);
}

}  // namespace quant
}  // namespace strata
