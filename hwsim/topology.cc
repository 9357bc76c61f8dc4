#include "hwsim/topology.h"

#include <sstream>

#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

const char* const kConvFields[] = {"IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                   "Channels",     "Num Filter",  "Strides",       "Stride width"};
const char* const kGemmFields[] = {"M", "N", "K"};
const char kTooBig[] = " must be <= 268435456 (2^28 words: int32 addresses)";

bool IsGemmHeader(const std::vector<std::string>& header) {
  return header.size() >= 4 && ToLower(Trim(header[1])) == "m" && ToLower(Trim(header[2])) == "n" &&
         ToLower(Trim(header[3])) == "k";
}

// Parses fields [1, 1+count) of a row as integers in [1, kMaxOperandWords].
Status ParseFields(const std::vector<std::string>& f, size_t count, const char* const* names,
                   const std::string& where, std::vector<int64_t>* out) {
  out->clear();
  for (size_t i = 1; i <= count; ++i) {
    int64_t v = 0;
    if (!ParseInt(f[i], &v)) {
      return Status::Error(where + "field '" + names[i - 1] + "': value '" + Trim(f[i]) +
                           "' is not an integer");
    }
    if (v < 1 || v > kMaxOperandWords) {
      return Status::Error(where + "field '" + names[i - 1] + "': value " + std::to_string(v) +
                           (v < 1 ? " must be >= 1" : kTooBig));
    }
    out->push_back(v);
  }
  return Status::Ok();
}

Status ParseConvRow(const std::vector<std::string>& f, const std::string& where,
                    std::vector<Layer>* layers) {
  if (f.size() != 8 && f.size() != 9) {
    return Status::Error(where + "expected 8 or 9 fields (name, H, W, Fh, Fw, C, N, stride[, " +
                         "stride_w]), got " + std::to_string(f.size()));
  }
  std::vector<int64_t> v;
  HWSIM_RETURN_IF_ERROR(ParseFields(f, f.size() - 1, kConvFields, where, &v));
  Layer l;
  l.name = l.source_name = Trim(f[0]);
  l.ifmap_h = v[0], l.ifmap_w = v[1], l.filter_h = v[2], l.filter_w = v[3];
  l.channels = v[4], l.num_filters = v[5], l.stride_h = v[6];
  l.stride_w = v.size() == 8 ? v[7] : v[6];
  HWSIM_RETURN_IF_ERROR(ValidateLayer(l, where));
  // Depthwise: one single-channel layer per input channel (HWSIM.md §1).
  return AppendLayer(l, l.name.find("DP") != std::string::npos, where, layers);
}

Status ParseGemmRow(const std::vector<std::string>& f, const std::string& where,
                    std::vector<Layer>* layers) {
  if (f.size() != 4) {
    return Status::Error(where + "expected 4 fields (name, M, N, K), got " +
                         std::to_string(f.size()));
  }
  std::vector<int64_t> v;
  HWSIM_RETURN_IF_ERROR(ParseFields(f, 3, kGemmFields, where, &v));
  Layer l = GemmLayer(Trim(f[0]), v[0], v[1], v[2]);
  HWSIM_RETURN_IF_ERROR(ValidateLayer(l, where));
  return AppendLayer(l, /*depthwise=*/false, where, layers);
}

}  // namespace

GemmDims Dims(const Layer& l) {
  GemmDims d;
  // ceil((H - Fh + s) / s), HWSIM.md §1.
  d.eh = (l.ifmap_h - l.filter_h + l.stride_h + l.stride_h - 1) / l.stride_h;
  d.ew = (l.ifmap_w - l.filter_w + l.stride_w + l.stride_w - 1) / l.stride_w;
  d.m = d.eh * d.ew;
  d.n = l.num_filters;
  d.k = l.filter_h * l.filter_w * l.channels;
  return d;
}

Layer GemmLayer(const std::string& name, int64_t m, int64_t n, int64_t k) {
  Layer l;
  l.name = l.source_name = name;
  l.ifmap_h = m, l.ifmap_w = k, l.filter_h = 1, l.filter_w = k;
  l.channels = 1, l.num_filters = n, l.stride_h = l.stride_w = 1;
  return l;
}

Status ValidateLayer(const Layer& l, const std::string& where) {
  const int64_t fields[] = {l.ifmap_h,  l.ifmap_w,     l.filter_h, l.filter_w,
                            l.channels, l.num_filters, l.stride_h, l.stride_w};
  for (int i = 0; i < 8; ++i) {
    if (fields[i] < 1 || fields[i] > kMaxOperandWords) {
      return Status::Error(where + "layer '" + l.name + "' field '" + kConvFields[i] + "': value " +
                           std::to_string(fields[i]) + (fields[i] < 1 ? " must be >= 1" : kTooBig));
    }
  }
  if (l.filter_h > l.ifmap_h || l.filter_w > l.ifmap_w) {
    return Status::Error(where + "layer '" + l.name + "': filter " + std::to_string(l.filter_h) +
                         "x" + std::to_string(l.filter_w) + " is larger than the IFMAP " +
                         std::to_string(l.ifmap_h) + "x" + std::to_string(l.ifmap_w));
  }
  // Fields <= 2^28, so H*W fits in int64; once H*W*Cin <= 2^28, so are M <= H*W and
  // K = Fh*Fw*Cin (the filter is no larger than the IFMAP), and Dims() cannot overflow.
  const int64_t kLimit = kMaxOperandWords;
  bool too_large = l.ifmap_h * l.ifmap_w > kLimit / l.channels;
  if (!too_large) {
    const GemmDims d = Dims(l);
    too_large = d.k > kLimit / d.n || d.m > kLimit / d.n || d.m > kLimit / d.k;
  }
  if (too_large) {
    return Status::Error(where + "layer '" + l.name +
                         "' is too large (operands exceed 2^28 words: int32 addresses)");
  }
  return Status::Ok();
}

Status AppendLayer(const Layer& layer, bool depthwise, const std::string& where,
                   std::vector<Layer>* layers) {
  const int64_t copies = depthwise ? layer.channels : 1;
  const int64_t have = static_cast<int64_t>(layers->size());
  if (copies > kMaxTopologyLayers - have) {
    return Status::Error(where + "layer '" + layer.source_name + "'" +
                         (depthwise ? " (depthwise: one layer per channel)" : "") + " makes " +
                         std::to_string(have) + " + " + std::to_string(copies) +
                         " layers; a topology may have at most " +
                         std::to_string(kMaxTopologyLayers));
  }
  if (!depthwise) {
    layers->push_back(layer);
    return Status::Ok();
  }
  Layer copy = layer;
  copy.channels = 1;
  for (int64_t c = 0; c < copies; ++c) {
    copy.name = layer.source_name + "Channel_" + std::to_string(c);
    layers->push_back(copy);
  }
  return Status::Ok();
}

Status ParseTopologyText(const std::string& text, const std::string& file, TopologyFormat format,
                         std::vector<Layer>* layers) {
  std::vector<Layer> out;
  std::vector<std::string> lines = Split(text, '\n');
  bool header_seen = false, gemm = format == TopologyFormat::kGemm;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string row = Trim(lines[i]);
    if (row.empty()) continue;
    std::vector<std::string> f = Split(row, ',');
    if (f.size() > 1 && Trim(f.back()).empty()) f.pop_back();  // SCALE-Sim's trailing comma
    if (!header_seen) {
      header_seen = true;
      if (format == TopologyFormat::kAuto) gemm = IsGemmHeader(f);
      continue;
    }
    const std::string where = Where(file, static_cast<int>(i) + 1);
    HWSIM_RETURN_IF_ERROR(gemm ? ParseGemmRow(f, where, &out) : ParseConvRow(f, where, &out));
  }
  if (out.empty()) return Status::Error(file + ": no layers (a header line and >= 1 row needed)");
  *layers = std::move(out);
  return Status::Ok();
}

Status ParseTopologyFile(const std::string& path, TopologyFormat format,
                         std::vector<Layer>* layers) {
  std::string text;
  HWSIM_RETURN_IF_ERROR(ReadFile(path, &text));
  return ParseTopologyText(text, path, format, layers);
}

std::string FormatTopology(const std::vector<Layer>& layers) {
  std::ostringstream o;
  o << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
       "Num Filter, Stride height, Stride width,\n";
  for (const Layer& l : layers) {
    o << l.name << ", " << l.ifmap_h << ", " << l.ifmap_w << ", " << l.filter_h << ", "
      << l.filter_w << ", " << l.channels << ", " << l.num_filters << ", " << l.stride_h << ", "
      << l.stride_w << ",\n";
  }
  return o.str();
}

}  // namespace strata::hwsim
