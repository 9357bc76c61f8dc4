// Reading the vertical-layered model file (see vlmodel_file.h and vlmodel.proto). The
// top-level framing (magic, version, one length-delimited record per section) is walked by
// hand so that a cut or foreign byte is reported with its section and offset; each record
// is then checked (SHA-256, chain) before its payload is parsed and validated.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "quant/bitplanes.h"
#include "quant/vertical.h"
#include "quant/vlmodel.pb.h"
#include "quant/vlmodel_file.h"
#include "quant/vlmodel_internal.h"

namespace strata {
namespace quant {
namespace {

using internal::CheckedNumel;
using internal::SectionName;

constexpr uint64_t kMagicTag = (1 << 3) | 2, kVersionTag = (2 << 3) | 0, kSectionTag = (3 << 3) | 2;

std::string Str(uint64_t v) { return std::to_string(v); }

// At most 32 characters of s, non-printable ones as '?'.
std::string Printable(const std::string& s) {
  std::string out = s.substr(0, 32);
  for (char& ch : out) ch = (ch >= 32 && ch < 127) ? ch : '?';
  return out + (s.size() > 32 ? "..." : "");
}

struct Cursor {
  const std::string& bytes;
  size_t pos = 0;
  size_t remaining() const { return bytes.size() - pos; }
  bool done() const { return pos == bytes.size(); }
  // A base-128 varint; false when the bytes end inside it (then done()) or it is malformed.
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (done()) return false;
      const uint8_t byte = static_cast<uint8_t>(bytes[pos++]);
      *v |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
};

Status ReadPreamble(Cursor* c, const std::string& src) {
  const std::string magic = kVlModelMagic;
  if (c->done()) return DataLossError(src + ": empty file (not a vertical-layered model)");
  uint64_t tag = 0, len = 0;
  if (!c->Varint(&tag) || tag != kMagicTag || !c->Varint(&len)) {
    return DataLossError(src +
                         ": not a strata vertical-layered model (no magic field at offset 0)");
  }
  const std::string found = c->bytes.substr(c->pos, std::min<uint64_t>(len, c->remaining()));
  if (len > c->remaining() && len == magic.size() && magic.compare(0, found.size(), found) == 0) {
    return DataLossError(src + ": truncated inside the magic");
  }
  if (found != magic) {
    return DataLossError(src + ": not a strata vertical-layered model (magic '" + Printable(found) +
                         "', expected '" + magic + "')");
  }
  c->pos += len;
  uint64_t version = 0;
  if (c->done()) return DataLossError(src + ": truncated after the magic (no version)");
  if (!c->Varint(&tag) || tag != kVersionTag) {
    return DataLossError(src + ": no version field after the magic");
  }
  if (!c->Varint(&version)) return DataLossError(src + ": truncated inside the version");
  if (version != kVlModelVersion) {
    return FailedPreconditionError(src + ": vertical-layered model version " + Str(version) +
                                   ", this build reads version " + Str(kVlModelVersion));
  }
  return Status::Ok();
}

// The next section's record. *cut: the bytes end inside it (a truncated file).
Status NextRecord(Cursor* c, const std::string& where, std::string* record, bool* cut) {
  const size_t start = c->pos;
  uint64_t tag = 0, len = 0;
  *cut = false;
  if (!c->Varint(&tag)) {
    *cut = c->done();
    return DataLossError(where + ": cut inside its field tag at byte offset " + Str(start));
  }
  if (tag != kSectionTag) {
    return DataLossError(where + ": byte offset " + Str(start) + " holds field " + Str(tag >> 3) +
                         " (wire type " + Str(tag & 7) + "), expected a section (field 3)");
  }
  if (!c->Varint(&len)) {
    *cut = c->done();
    return DataLossError(where + ": cut inside its length prefix at byte offset " + Str(start));
  }
  if (len > c->remaining()) {
    *cut = true;
    return DataLossError(where + ": cut short (truncated file): its record declares " + Str(len) +
                         " bytes, " + Str(c->remaining()) + " remain");
  }
  *record = c->bytes.substr(c->pos, len);
  c->pos += len;
  return Status::Ok();
}

// Checks the record's digest and chain link, then parses its payload.
Status OpenRecord(const std::string& record, int k, const std::string& where, std::string* previous,
                  pb::VlSection* s) {
  pb::VlSectionRecord r;
  if (!r.ParseFromString(record)) return DataLossError(where + ": record does not parse (corrupt)");
  const std::string digest = Sha256Hex(r.payload());
  if (digest != r.sha256()) {
    return DataLossError(where + ": checksum mismatch (corrupt): SHA-256 of its payload is " +
                         digest + ", the record says '" + Printable(r.sha256()) + "'");
  }
  if (!s->ParseFromString(r.payload())) return DataLossError(where + ": payload does not parse");
  if (s->index() != static_cast<uint32_t>(k)) {
    return DataLossError(where + ": field 'index' is " + Str(s->index()));
  }
  if (s->previous_sha256() != *previous) {
    return DataLossError(where + ": does not follow the section before it (previous_sha256 '" +
                         Printable(s->previous_sha256()) + "'): spliced from another file?");
  }
  *previous = digest;
  return Status::Ok();
}

Status ReadShape(const google::protobuf::RepeatedField<int64_t>& dims, const std::string& what,
                 Shape* shape, int64_t* numel) {
  shape->assign(dims.begin(), dims.end());
  *numel = CheckedNumel(*shape);
  if (*numel < 0) return DataLossError(what + " has invalid shape " + ShapeStr(*shape));
  return Status::Ok();
}

Status ToTensor(const pb::VlFloatTensor& p, const std::string& where, VlTensor* t) {
  const std::string what = where + ": tensor '" + Printable(p.name()) + "'";
  if (p.name().empty()) return DataLossError(where + ": a tensor has no name");
  int64_t n = 0;
  STRATA_RETURN_IF_ERROR(ReadShape(p.shape(), what, &t->shape, &n));
  if (p.data().size() != static_cast<uint64_t>(n) * sizeof(float)) {
    return DataLossError(what + " holds " + Str(p.data().size()) + " bytes, expected " +
                         Str(n * sizeof(float)) + " for shape " + ShapeStr(t->shape));
  }
  t->name = p.name();
  t->values.resize(n);
  std::memcpy(t->values.data(), p.data().data(), p.data().size());
  return Status::Ok();
}

Status ReadHeader(const pb::VlSection& s, const std::string& where, VlModel* m,
                  std::vector<VlTensor>* specs, int* declared) {
  if (!s.has_header()) return DataLossError(where + ": no header");
  const pb::VlHeader& h = s.header();
  auto in_range = [&](const char* field, uint64_t v, uint64_t lo, uint64_t hi) {
    if (v >= lo && v <= hi) return Status::Ok();
    return DataLossError(where + ": header field '" + field + "' is " + Str(v) + ", not in [" +
                         Str(lo) + ", " + Str(hi) + "]");
  };
  STRATA_RETURN_IF_ERROR(in_range("source_bits", h.source_bits(), 1, kMaxVerticalBits));
  STRATA_RETURN_IF_ERROR(in_range("basic_bits", h.basic_bits(), 1, h.source_bits()));
  STRATA_RETURN_IF_ERROR(
      in_range("num_sections", h.num_sections(), 1, h.source_bits() - h.basic_bits() + 1));
  m->source_bits = h.source_bits(), m->basic_bits = h.basic_bits();
  m->compensation = h.compensation();
  *declared = h.num_sections();
  std::set<std::string> names;
  for (const pb::VlLayerHeader& lh : h.layers()) {
    const std::string what = where + ": header layer '" + Printable(lh.name()) + "'";
    VlLayer l;
    int64_t n = 0;
    STRATA_RETURN_IF_ERROR(ReadShape(lh.shape(), what, &l.shape, &n));
    if (lh.name().empty() || !names.insert(lh.name()).second) {
      return DataLossError(what + ": empty or duplicate name");
    }
    if (!(std::isfinite(lh.source_step()) && lh.source_step() > 0.f)) {
      return DataLossError(what + ": source_step " + std::to_string(lh.source_step()) +
                           " is not finite and positive");
    }
    l.name = lh.name(), l.source_step = lh.source_step();
    m->layers.push_back(std::move(l));
  }
  names.clear();
  for (const pb::VlTensorSpec& spec : h.per_bits_tensors()) {
    VlTensor t;
    int64_t n = 0;
    t.name = spec.name();
    STRATA_RETURN_IF_ERROR(ReadShape(
        spec.shape(), where + ": per-width tensor '" + Printable(t.name) + "'", &t.shape, &n));
    if (t.name.empty() || !names.insert(t.name).second) {
      return DataLossError(where + ": per-width tensor '" + Printable(t.name) +
                           "': empty or duplicate name");
    }
    specs->push_back(std::move(t));
  }
  return Status::Ok();
}

// Section k's per-layer buffer: the basic codes (k = 0) or the enhance plane e_{b0+k}.
Status ReadLayerBits(const pb::VlSection& s, int k, const std::string& where, VlModel* m) {
  const char* what = k == 0 ? "basic codes" : "enhance plane";
  const int layers = static_cast<int>(m->layers.size());
  if (s.layer_bits_size() < layers) {
    return DataLossError(where + ": layer '" + m->layers[s.layer_bits_size()].name + "' has no " +
                         what + " (" + Str(s.layer_bits_size()) + " for " + Str(layers) +
                         " layers)");
  }
  if (s.layer_bits_size() > layers) {
    return DataLossError(where + ": " + Str(s.layer_bits_size()) + " layer buffers for " +
                         Str(layers) + " layers");
  }
  const int width = k == 0 ? m->basic_bits : 1;
  for (int i = 0; i < layers; ++i) {
    VlLayer& l = m->layers[i];
    const std::string& bytes = s.layer_bits(i);
    const int64_t n = CheckedNumel(l.shape), expected = PackedBytes(n, width);
    if (static_cast<int64_t>(bytes.size()) != expected) {
      return DataLossError(where + ": layer '" + l.name + "': " + what + " of " +
                           Str(bytes.size()) + " bytes, expected " + Str(expected) + " for " +
                           Str(n) + " weights of " + Str(width) + " bit(s)");
    }
    if (!PaddingIsZero(bytes, n, width)) {
      return DataLossError(where + ": layer '" + l.name + "': " + what + ": nonzero padding bits");
    }
    if (k == 0) {
      l.codes = UnpackCodes(bytes, n, width);
    } else {
      AddEnhancePlane(UnpackBits(bytes, n), &l.codes);  // q_b = 2 q_{b-1} + e_b (Eq. 3)
    }
  }
  return Status::Ok();
}

// Width b0+k's tensors: exactly the header's specs, in order.
Status ReadWidthTensors(const pb::VlSection& s, const std::vector<VlTensor>& specs,
                        const std::string& where, std::vector<VlTensor>* out) {
  for (size_t i = 0; i < specs.size(); ++i) {
    if (static_cast<int>(i) >= s.tensors_size() || s.tensors(i).name() != specs[i].name) {
      bool present = false;
      for (const pb::VlFloatTensor& t : s.tensors()) present |= t.name() == specs[i].name;
      return DataLossError(where + ": tensor '" + specs[i].name + "' " +
                           (present ? "out of order" : "missing") + " (the header lists " +
                           Str(specs.size()) + " tensors per width)");
    }
    VlTensor t;
    STRATA_RETURN_IF_ERROR(ToTensor(s.tensors(i), where, &t));
    if (t.shape != specs[i].shape) {
      return DataLossError(where + ": tensor '" + t.name + "' has shape " + ShapeStr(t.shape) +
                           ", the header says " + ShapeStr(specs[i].shape));
    }
    out->push_back(std::move(t));
  }
  if (s.tensors_size() > static_cast<int>(specs.size())) {
    return DataLossError(where + ": unexpected tensor '" +
                         Printable(s.tensors(specs.size()).name()) + "' (not in the header)");
  }
  return Status::Ok();
}

Status ReadFpTensors(const pb::VlSection& s, const std::string& where, VlModel* m) {
  std::set<std::string> names;
  for (const pb::VlFloatTensor& p : s.fp_tensors()) {
    VlTensor t;
    STRATA_RETURN_IF_ERROR(ToTensor(p, where + " (full precision)", &t));
    if (!names.insert(t.name).second)
      return DataLossError(where + ": duplicate tensor '" + t.name + "'");
    m->fp_tensors.push_back(std::move(t));
  }
  return Status::Ok();
}

// One parsed section's content into m.
Status ReadSection(const pb::VlSection& s, int k, const std::string& src,
                   const VlReadOptions& options, VlModel* m, std::vector<VlTensor>* specs,
                   int* declared) {
  if (k == 0) {
    STRATA_RETURN_IF_ERROR(ReadHeader(s, src + ": " + SectionName(0, 0), m, specs, declared));
    if (options.max_bits != 0 && options.max_bits < m->basic_bits) {
      return InvalidArgumentError(src + ": max_bits " + Str(options.max_bits) +
                                  " is below the file's basic width " + Str(m->basic_bits));
    }
  } else if (s.has_header() || s.fp_tensors_size() > 0) {
    return DataLossError(src + ": " + SectionName(k, m->basic_bits) +
                         ": header or full-precision tensors outside section 0");
  }
  const std::string where = src + ": " + SectionName(k, m->basic_bits);
  if (s.bits() != static_cast<uint32_t>(m->basic_bits + k)) {
    return DataLossError(where + ": field 'bits' is " + Str(s.bits()));
  }
  if (k == 0) STRATA_RETURN_IF_ERROR(ReadFpTensors(s, where, m));
  STRATA_RETURN_IF_ERROR(ReadLayerBits(s, k, where, m));
  return ReadWidthTensors(s, *specs, where, &m->per_bits[m->basic_bits + k]);
}

// After the last declared section the file must end.
Status CheckEnd(const Cursor& c, int declared, const std::string& src) {
  if (c.done()) return Status::Ok();
  Cursor peek = c;
  uint64_t tag = 0;
  if (peek.Varint(&tag) && tag == kSectionTag) {
    return DataLossError(src + ": an extra section at byte offset " + Str(c.pos) + " after the " +
                         Str(declared) + " the header declares");
  }
  return DataLossError(src + ": " + Str(c.remaining()) + " unexpected bytes at offset " +
                       Str(c.pos) + " after the last section");
}

}  // namespace

StatusOr<VlModel> ParseVlModel(const std::string& bytes, const VlReadOptions& options,
                               const std::string& source) {
  if (options.max_bits < 0) {
    return InvalidArgumentError(source + ": max_bits " + Str(options.max_bits) + " < 0");
  }
  Cursor c{bytes};
  STRATA_RETURN_IF_ERROR(ReadPreamble(&c, source));
  VlModel m;
  std::vector<VlTensor> specs;
  std::string previous;
  int declared = 1;
  bool stopped = false;  // by max_bits
  for (int k = 0; k < declared && !stopped; ++k) {
    const std::string where = source + ": " + SectionName(k, k ? m.basic_bits : 0);
    if (c.done()) {
      if (k == 0) return DataLossError(where + " missing: the file ends after its preamble");
      break;  // a prefix ending on a section boundary: a valid lower-precision file
    }
    std::string record;
    bool cut = false;
    const Status framed = NextRecord(&c, where, &record, &cut);
    if (!framed.ok()) {
      if (!(cut && k > 0 && options.allow_truncated_prefix)) return framed;
      m.read_info.dropped_partial = true;
      m.read_info.note = framed.message();
      break;
    }
    pb::VlSection s;
    STRATA_RETURN_IF_ERROR(OpenRecord(record, k, where, &previous, &s));
    STRATA_RETURN_IF_ERROR(ReadSection(s, k, source, options, &m, &specs, &declared));
    m.read_info.sections_read = k + 1;
    m.read_info.bytes_used = static_cast<int64_t>(c.pos);
    stopped = options.max_bits != 0 && m.basic_bits + k + 1 > options.max_bits;
  }
  if (!stopped && m.read_info.sections_read == declared) {
    STRATA_RETURN_IF_ERROR(CheckEnd(c, declared, source));
  }
  m.bits = m.basic_bits + m.read_info.sections_read - 1;
  m.read_info.sections_declared = declared;
  return m;
}

StatusOr<VlModel> ReadVlModel(const std::string& path, const VlReadOptions& options) {
  STRATA_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  return ParseVlModel(bytes, options, path);
}

}  // namespace quant
}  // namespace strata
