// The vertical-layered model file: round trip; every prefix on a section boundary loads as
// exactly the lower-precision model (codes = floor-downsampled source codes, dequantized
// weights = the op's forward at that width, tensors equal); truncation at every byte offset
// and a flip of every byte either load a documented prefix or fail, never crash; each bad
// input (magic, version, checksum, chain, plane length, padding, missing/unexpected
// tensors, header fields, trailing bytes) is reported with its section and item.
#include "quant/vlmodel_file.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"
#include "quant/vertical.h"
#include "quant/vlmodel.pb.h"

namespace strata {
namespace quant {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

VlTensor Values(const std::string& name, const Shape& shape, uint64_t seed) {
  const Philox rng(seed, Stream(name));
  VlTensor t{name, shape, std::vector<float>(NumElements(shape))};
  for (size_t i = 0; i < t.values.size(); ++i) t.values[i] = rng.Normal(i);
  return t;
}

// A small once-QAT model: N = 4, b0 = 2, two quantized layers of awkward sizes (12 and 5
// weights: plane padding), FP tensors, and per-width BN/activation tensors.
struct Fixture {
  VlModel model;
  std::vector<Tensor> weights;  // the source weights the codes came from
};
Fixture SmallModel(uint64_t seed, int n_bits = 4, int b0 = 2) {
  Fixture f;
  VlModel& m = f.model;
  m.source_bits = n_bits, m.basic_bits = b0, m.bits = n_bits, m.compensation = true;
  const std::vector<std::pair<std::string, Shape>> layers = {{"layer1.conv.weight", {3, 1, 2, 2}},
                                                             {"layer2.conv.weight", {5}}};
  for (const auto& [name, shape] : layers) {
    const VlTensor v = Values(name, shape, seed);
    const Tensor w = Tensor::FromVector(shape, v.values);
    const float s_w = InitSourceStep(w, n_bits);
    m.layers.push_back({name, shape, s_w, VerticalCodes(w, s_w, n_bits, n_bits)});
    f.weights.push_back(w);
  }
  m.fp_tensors = {Values("conv1.weight", {2, 1, 3, 3}, seed), Values("fc.bias", {3}, seed)};
  for (int b = b0; b <= n_bits; ++b) {
    m.per_bits[b] = {Values("bn1.weight", {3}, seed + b), Values("bn1.running_var", {3}, seed + b),
                     Values("act1.step", {1}, seed + b)};
  }
  return f;
}

void ExpectSameModel(const VlModel& a, const VlModel& b, const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(a.source_bits, b.source_bits);
  EXPECT_EQ(a.basic_bits, b.basic_bits);
  EXPECT_EQ(a.bits, b.bits);
  EXPECT_EQ(a.compensation, b.compensation);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].name, b.layers[i].name);
    EXPECT_EQ(a.layers[i].shape, b.layers[i].shape);
    EXPECT_EQ(a.layers[i].source_step, b.layers[i].source_step);
    EXPECT_EQ(a.layers[i].codes, b.layers[i].codes) << a.layers[i].name;
  }
  auto same = [](const std::vector<VlTensor>& x, const std::vector<VlTensor>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].name != y[i].name || x[i].shape != y[i].shape || x[i].values != y[i].values)
        return false;
    }
    return true;
  };
  EXPECT_TRUE(same(a.fp_tensors, b.fp_tensors));
  ASSERT_EQ(a.per_bits.size(), b.per_bits.size());
  for (const auto& [bits, tensors] : a.per_bits) {
    ASSERT_TRUE(b.per_bits.count(bits)) << bits;
    EXPECT_TRUE(same(tensors, b.per_bits.at(bits))) << bits << "-bit tensors";
  }
}

std::string Serialized(const VlModel& m) {
  StatusOr<std::string> bytes = SerializeVlModel(m);
  CHECK(bytes.ok()) << bytes.status().ToString();
  return *bytes;
}

TEST(VlModelFileTest, RoundTripThroughAFile) {
  const Fixture f = SmallModel(1);
  const std::string path = TempPath("round_trip.vlm");
  ASSERT_TRUE(WriteVlModel(path, f.model).ok());
  const StatusOr<VlModel> read = ReadVlModel(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSameModel(*read, f.model, "round trip");
  EXPECT_EQ(read->read_info.sections_read, 3);
  EXPECT_EQ(read->read_info.sections_declared, 3);
  EXPECT_FALSE(read->read_info.dropped_partial);
  // The file is a plain VlModelFile for stock protobuf, one top-level entry per section.
  const std::string bytes = ReadFile(path).value();
  pb::VlModelFile file;
  ASSERT_TRUE(file.ParseFromString(bytes));
  EXPECT_EQ(file.magic(), kVlModelMagic);
  EXPECT_EQ(file.sections_size(), 3);
  const std::vector<int64_t> sizes = SectionSizes(f.model);
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes.back(), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(read->read_info.bytes_used, sizes.back());
  for (size_t k = 1; k < sizes.size(); ++k) {
    EXPECT_GE(sizes[k] - sizes[k - 1], 2 + 1 + 12 / 8 + 1) << "two packed planes at least";
  }
}

// q_b = floor(q_N / 2^(N-b)), computed in double: independent of the shifts in the code.
std::vector<int32_t> FloorDownsample(const std::vector<int32_t>& q, int n_bits, int b) {
  std::vector<int32_t> out;
  for (int32_t v : q)
    out.push_back(static_cast<int32_t>(std::floor(v / std::ldexp(1.0, n_bits - b))));
  return out;
}

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0;
}

TEST(VlModelFileTest, EachSectionPrefixLoadsAsExactlyTheLowerPrecisionModel) {
  for (const auto& [n_bits, b0] : std::vector<std::pair<int, int>>{{4, 2}, {8, 1}, {3, 3}}) {
    const Fixture f = SmallModel(2, n_bits, b0);
    const std::string bytes = Serialized(f.model);
    const std::vector<int64_t> sizes = SectionSizes(f.model);
    ASSERT_EQ(static_cast<int>(sizes.size()), n_bits - b0 + 1);
    for (int k = 0; k <= n_bits - b0; ++k) {
      const int b = b0 + k;
      const std::string name = "prefix " + std::to_string(k) + " N=" + std::to_string(n_bits);
      StatusOr<VlModel> m = ParseVlModel(bytes.substr(0, sizes[k]), {}, name);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      EXPECT_EQ(m->bits, b);
      EXPECT_EQ(m->read_info.sections_read, k + 1);
      EXPECT_FALSE(m->read_info.dropped_partial);
      ExpectSameModel(*m, DownsampleModel(f.model, b), name);
      VlReadOptions o;
      o.max_bits = b;  // the full file read up to width b: the same model
      StatusOr<VlModel> capped = ParseVlModel(bytes, o, name);
      ASSERT_TRUE(capped.ok()) << capped.status().ToString();
      ExpectSameModel(*capped, *m, name + " via max_bits");
      for (size_t i = 0; i < m->layers.size(); ++i) {
        const VlLayer& l = m->layers[i];
        EXPECT_EQ(l.codes, FloorDownsample(f.model.layers[i].codes, n_bits, b)) << name;
        const Tensor forward = VerticalQuantize(f.weights[i], Tensor::Full({1}, l.source_step),
                                                n_bits, b, /*compensation=*/true, 1.f);
        EXPECT_TRUE(SameBits(DequantizeLayer(*m, l), forward)) << name << " " << l.name;
      }
    }
  }
}

// Cuts at every byte offset: with allow_truncated_prefix the longest complete prefix loads
// (and says whether a partial section was dropped); without it only the section boundaries
// load. A cut inside section 0 never loads. Errors name the file and the cut section.
TEST(VlModelFileTest, EveryTruncationLoadsADocumentedPrefixOrFails) {
  const Fixture f = SmallModel(3);
  const std::string bytes = Serialized(f.model);
  const std::vector<int64_t> sizes = SectionSizes(f.model);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    int complete = 0;  // sections wholly inside the prefix
    while (complete < static_cast<int>(sizes.size()) &&
           sizes[complete] <= static_cast<int64_t>(cut)) {
      ++complete;
    }
    const bool boundary = complete > 0 && sizes[complete - 1] == static_cast<int64_t>(cut);
    const std::string prefix = bytes.substr(0, cut), src = "cut@" + std::to_string(cut);
    const StatusOr<VlModel> strict = ParseVlModel(prefix, {}, src);
    ASSERT_EQ(strict.ok(), boundary) << src << ": " << strict.status().ToString();
    if (!strict.ok()) {
      EXPECT_EQ(strict.status().code(), StatusCode::kDataLoss) << strict.status().ToString();
      EXPECT_NE(strict.status().message().find(src + ":"), std::string::npos);
      if (complete > 0) {
        const std::string section = "section " + std::to_string(complete) + " ";
        EXPECT_NE(strict.status().message().find(section), std::string::npos)
            << strict.status().ToString();
      }
    }
    VlReadOptions allow;
    allow.allow_truncated_prefix = true;
    const StatusOr<VlModel> lenient = ParseVlModel(prefix, allow, src);
    ASSERT_EQ(lenient.ok(), complete > 0) << src << ": " << lenient.status().ToString();
    if (!lenient.ok()) continue;
    EXPECT_EQ(lenient->read_info.sections_read, complete);
    EXPECT_EQ(lenient->read_info.dropped_partial, !boundary);
    EXPECT_EQ(lenient->read_info.bytes_used, sizes[complete - 1]);
    if (!boundary) {
      EXPECT_NE(lenient->read_info.note.find("section " + std::to_string(complete)),
                std::string::npos)
          << lenient->read_info.note;
    }
    ExpectSameModel(*lenient, DownsampleModel(f.model, f.model.basic_bits + complete - 1), src);
  }
}

// [begin, end) of section k's payload bytes inside the file (decoding the framing).
std::pair<size_t, size_t> PayloadRange(const std::string& bytes, size_t section_start) {
  size_t pos = section_start;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(bytes[pos++]);
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
  };
  varint(), varint();  // the section field's tag and length
  varint();            // the payload field's tag
  const uint64_t len = varint();
  return {pos, pos + len};
}

TEST(VlModelFileTest, EveryByteFlipFailsAndPayloadFlipsAreChecksumErrorsNamingTheSection) {
  const Fixture f = SmallModel(4);
  const std::string bytes = Serialized(f.model);
  const std::vector<int64_t> sizes = SectionSizes(f.model);
  const size_t preamble = 2 + std::strlen(kVlModelMagic) + 2;
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (uint8_t mask : {0x01, 0x80}) {
      std::string bad = bytes;
      bad[at] = static_cast<char>(bad[at] ^ mask);
      const StatusOr<VlModel> strict = ParseVlModel(bad, {}, "flip");
      ASSERT_FALSE(strict.ok()) << "byte " << at << " ^ " << int{mask} << " loaded";
      VlReadOptions allow;
      allow.allow_truncated_prefix = true;
      const StatusOr<VlModel> lenient = ParseVlModel(bad, allow, "flip");
      // A length prefix made longer reads as a truncated file: the prefix before it loads.
      if (lenient.ok()) {
        EXPECT_TRUE(lenient->read_info.dropped_partial) << "byte " << at;
        ExpectSameModel(
            *lenient,
            DownsampleModel(f.model, f.model.basic_bits + lenient->read_info.sections_read - 1),
            "flip at " + std::to_string(at));
      }
      int k = 0;
      while (static_cast<int64_t>(at) >= sizes[k]) ++k;
      const auto [begin, end] = PayloadRange(bytes, k == 0 ? preamble : sizes[k - 1]);
      if (at >= begin && at < end) {
        const std::string& msg = strict.status().message();
        // Section 0's width is unknown until its (corrupt) payload is trusted.
        const std::string section = "section " + std::to_string(k) + (k == 0 ? ":" : " (");
        EXPECT_NE(msg.find(section), std::string::npos) << msg;
        EXPECT_NE(msg.find("checksum mismatch"), std::string::npos) << msg;
      }
    }
  }
}

// The sections of a serialized model, decoded, and a way to seal edited ones again (fresh
// digests and chain), so each check below sees exactly one defect.
std::vector<pb::VlSection> Decode(const std::string& bytes) {
  pb::VlModelFile file;
  CHECK(file.ParseFromString(bytes));
  std::vector<pb::VlSection> out(file.sections_size());
  for (int k = 0; k < file.sections_size(); ++k)
    CHECK(out[k].ParseFromString(file.sections(k).payload()));
  return out;
}
std::string Seal(std::vector<pb::VlSection> sections, const std::string& magic = kVlModelMagic,
                 uint32_t version = kVlModelVersion) {
  pb::VlModelFile file;
  file.set_magic(magic);
  file.set_version(version);
  std::string previous;
  for (pb::VlSection& s : sections) {
    s.set_previous_sha256(previous);
    pb::VlSectionRecord* r = file.add_sections();
    r->set_payload(s.SerializeAsString());
    r->set_sha256(previous = Sha256Hex(r->payload()));
  }
  return file.SerializeAsString();
}

// The error for `bytes` must have `code` and mention every piece of `parts`.
void ExpectError(const std::string& bytes, StatusCode code, const std::vector<std::string>& parts,
                 const VlReadOptions& options = {}) {
  const StatusOr<VlModel> m = ParseVlModel(bytes, options, "model.vlm");
  ASSERT_FALSE(m.ok()) << "loaded; expected an error mentioning " << parts[0];
  EXPECT_EQ(m.status().code(), code) << m.status().ToString();
  for (const std::string& p : parts) {
    EXPECT_NE(m.status().message().find(p), std::string::npos)
        << "'" << p << "' not in: " << m.status().ToString();
  }
  EXPECT_EQ(m.status().message().rfind("model.vlm: ", 0), 0u) << m.status().ToString();
}

TEST(VlModelFileTest, ResealedOriginalLoads) {  // the harness itself is sound
  const Fixture f = SmallModel(5);
  const StatusOr<VlModel> m = ParseVlModel(Seal(Decode(Serialized(f.model))), {}, "x");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectSameModel(*m, f.model, "resealed");
}

TEST(VlModelFileTest, BadPreambles) {
  const auto sections = Decode(Serialized(SmallModel(6).model));
  ExpectError(Seal(sections, "strata.vlmodeX"), StatusCode::kDataLoss, {"magic 'strata.vlmodeX'"});
  ExpectError(Seal(sections, "strata.checkpoint"), StatusCode::kDataLoss,
              {"not a strata vertical-layered model"});
  ExpectError("hello, world", StatusCode::kDataLoss, {"not a strata vertical-layered model"});
  ExpectError("", StatusCode::kDataLoss, {"empty file"});
  ExpectError(Seal(sections, kVlModelMagic, 2), StatusCode::kFailedPrecondition, {"version 2"});
  ExpectError(Seal({}), StatusCode::kDataLoss, {"section 0 missing"});
}

TEST(VlModelFileTest, PlaneAndCodeBuffersOfTheWrongLengthNameLayerAndSection) {
  const auto sections = Decode(Serialized(SmallModel(7).model));
  auto longer = sections;
  longer[1].mutable_layer_bits(1)->push_back('\0');
  ExpectError(
      Seal(longer), StatusCode::kDataLoss,
      {"section 1 (3-bit)", "layer 'layer2.conv.weight'", "enhance plane of 2 bytes, expected 1"});
  auto shorter = sections;
  shorter[0].mutable_layer_bits(0)->pop_back();
  ExpectError(Seal(shorter), StatusCode::kDataLoss,
              {"section 0 (2-bit basic layer)", "layer 'layer1.conv.weight'",
               "basic codes of 2 bytes, expected 3"});
  auto missing = sections;
  missing[2].mutable_layer_bits()->RemoveLast();
  ExpectError(Seal(missing), StatusCode::kDataLoss,
              {"section 2 (4-bit)", "layer 'layer2.conv.weight' has no enhance plane"});
  auto padded = sections;  // 5 weights: the last 3 bits of the byte are padding
  (*padded[2].mutable_layer_bits(1))[0] |= static_cast<char>(0x80);
  ExpectError(Seal(padded), StatusCode::kDataLoss,
              {"section 2 (4-bit)", "layer2.conv.weight", "padding"});
}

TEST(VlModelFileTest, MissingUnexpectedAndMisshapenTensorsAreNamed) {
  const auto sections = Decode(Serialized(SmallModel(8).model));
  auto missing = sections;
  missing[1].mutable_tensors()->DeleteSubrange(1, 1);
  ExpectError(Seal(missing), StatusCode::kDataLoss,
              {"section 1 (3-bit)", "tensor 'bn1.running_var' missing"});
  auto extra = sections;
  *extra[2].add_tensors() = extra[2].tensors(0);
  extra[2].mutable_tensors(3)->set_name("bn9.weight");
  ExpectError(Seal(extra), StatusCode::kDataLoss,
              {"section 2 (4-bit)", "unexpected tensor 'bn9.weight'"});
  auto short_data = sections;
  short_data[0].mutable_fp_tensors(1)->mutable_data()->resize(8);
  ExpectError(Seal(short_data), StatusCode::kDataLoss,
              {"section 0", "tensor 'fc.bias' holds 8 bytes, expected 12"});
  auto reshaped = sections;
  reshaped[1].mutable_tensors(0)->set_shape(0, 1);
  reshaped[1].mutable_tensors(0)->mutable_data()->resize(4);
  ExpectError(Seal(reshaped), StatusCode::kDataLoss,
              {"section 1 (3-bit)", "'bn1.weight' has shape (1,)"});
}

TEST(VlModelFileTest, BadHeadersChainsAndTrailingBytes) {
  const Fixture f = SmallModel(9);
  const std::string bytes = Serialized(f.model);
  const auto sections = Decode(bytes);
  auto widths = sections;
  widths[0].mutable_header()->set_basic_bits(5);
  ExpectError(Seal(widths), StatusCode::kDataLoss, {"section 0", "'basic_bits' is 5"});
  auto step = sections;
  step[0].mutable_header()->mutable_layers(0)->set_source_step(-1.f);
  ExpectError(Seal(step), StatusCode::kDataLoss, {"layer1.conv.weight", "source_step"});
  auto fewer = sections;
  fewer[0].mutable_header()->set_num_sections(2);
  ExpectError(Seal(fewer), StatusCode::kDataLoss, {"extra section", "the 2 the header declares"});
  ExpectError(bytes + "xyz", StatusCode::kDataLoss, {"unexpected bytes"});
  // Section 0 of one model followed by section 1 of another: the chain breaks.
  const std::string other = Serialized(SmallModel(10).model);
  const std::vector<int64_t> sizes = SectionSizes(f.model),
                             other_sizes = SectionSizes(SmallModel(10).model);
  const std::string spliced =
      bytes.substr(0, sizes[0]) + other.substr(other_sizes[0], other_sizes[1] - other_sizes[0]);
  ExpectError(spliced, StatusCode::kDataLoss, {"section 1 (3-bit)", "does not follow"});
  VlReadOptions low;
  low.max_bits = 1;
  ExpectError(bytes, StatusCode::kInvalidArgument, {"max_bits 1", "basic width 2"}, low);
  EXPECT_EQ(ReadVlModel(TempPath("no_such_model.vlm")).status().code(), StatusCode::kNotFound);
}

TEST(VlModelFileTest, InvalidModelsAreNotWritten) {
  const std::string path = TempPath("invalid.vlm");
  auto expect_invalid = [&](const VlModel& m, const std::string& part) {
    const Status s = WriteVlModel(path, m);
    ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(part), std::string::npos) << s.ToString();
    EXPECT_FALSE(FileExists(path));
  };
  VlModel m = SmallModel(11).model;
  m.layers[0].codes[3] = 8;  // not a 4-bit code
  expect_invalid(m, "layer 'layer1.conv.weight' code 8 at 3");
  m = SmallModel(11).model;
  m.layers[1].codes.pop_back();
  expect_invalid(m, "layer 'layer2.conv.weight' holds 4 codes for shape (5,)");
  m = SmallModel(11).model;
  m.per_bits[3].pop_back();
  expect_invalid(m, "3-bit tensors");
  m = SmallModel(11).model;
  m.per_bits[7] = {};
  expect_invalid(m, "width 7");
  m = SmallModel(11).model;
  m.basic_bits = 5;
  expect_invalid(m, "basic_bits 5");
  m = SmallModel(11).model;
  m.fp_tensors.push_back(m.fp_tensors[0]);
  expect_invalid(m, "duplicate 'conv1.weight'");
}

}  // namespace
}  // namespace quant
}  // namespace strata
