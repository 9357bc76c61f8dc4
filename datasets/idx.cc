#include "datasets/idx.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "datasets/in_memory.h"
#include "engine/file_util.h"

namespace strata {
namespace datasets {
namespace {

uint32_t LittleEndian32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data()) + at;
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

// zlib's streaming inflate: any size, and the precise error (truncated or corrupt).
StatusOr<std::string> InflateStreaming(const std::string& path, const std::string& gz) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return IoError(path + ": inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  // The gzip trailer's ISIZE is the inflated size mod 2^32: a good first guess, capped
  // by deflate's maximum ratio (~1032:1) in case the trailer is garbage.
  size_t guess = gz.size() >= 18 ? LittleEndian32(gz, gz.size() - 4) : 0;
  guess = std::min(guess, gz.size() * 1032);
  std::string out(std::max<size_t>(guess + 1, 1 << 16), '\0');
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (zs.total_out == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(&out[zs.total_out]);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
  }
  const size_t total = zs.total_out;
  const std::string why = zs.msg != nullptr ? zs.msg : "";
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    const std::string reason = rc == Z_BUF_ERROR ? "truncated gzip stream" : "corrupt gzip stream";
    return DataLossError(path + ": " + reason + " after " + std::to_string(total) +
                         " inflated bytes (zlib code " + std::to_string(rc) + " " + why + ")");
  }
  out.resize(total);
  return out;
}

// One gzip member inflated at once by libdeflate (several times zlib's speed) into the size
// its trailer states; anything else (a wrong size, several members, bad data) goes through
// InflateStreaming, which also words the error.
StatusOr<std::string> Inflate(const std::string& path, const std::string& gz) {
  const size_t isize = gz.size() >= 18 ? LittleEndian32(gz, gz.size() - 4) : 0;
  if (isize > 0 && isize <= gz.size() * 1032) {
    libdeflate_decompressor* d = libdeflate_alloc_decompressor();
    CHECK(d != nullptr) << "libdeflate_alloc_decompressor";
    std::string out(isize, '\0');
    size_t in_used = 0, out_size = 0;
    const libdeflate_result r = libdeflate_gzip_decompress_ex(
        d, gz.data(), gz.size(), out.data(), out.size(), &in_used, &out_size);
    libdeflate_free_decompressor(d);
    if (r == LIBDEFLATE_SUCCESS && in_used == gz.size() && out_size == isize) return out;
  }
  return InflateStreaming(path, gz);
}

bool IsGzip(const std::string& b) {
  return b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
         static_cast<unsigned char>(b[1]) == 0x8b;
}

uint32_t BigEndian32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string Hex(unsigned v) {
  static const char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[(v >> 4) & 15] + kDigits[v & 15];
}

// The data must hold exactly prod(dims) bytes (computed without overflow).
Status CheckDataSize(const std::string& path, uint64_t have, const std::vector<uint32_t>& dims) {
  uint64_t expected = 1;
  std::string shape;
  for (uint32_t d : dims) {
    expected = d != 0 && expected > UINT64_MAX / d ? UINT64_MAX : expected * d;
    shape += (shape.empty() ? "" : "x") + std::to_string(d);
  }
  if (have == expected) return Status::Ok();
  return DataLossError(path + ": field 'data': " + std::to_string(have) +
                       " bytes after the header, dims " + shape + " promise " +
                       std::to_string(expected) + (have < expected ? " (truncated)" : ""));
}

// Validates the header and size of an IDX ubyte file; returns its dims and the data offset.
Status ParseIdx(const std::string& path, const std::string& bytes, int want_ndims,
                std::vector<uint32_t>* dims, size_t* data_offset) {
  if (bytes.size() < 4) {
    return DataLossError(path + ": field 'magic': file is " + std::to_string(bytes.size()) +
                         " bytes, shorter than the 4-byte IDX magic");
  }
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  if (u[0] != 0 || u[1] != 0 || u[2] != 0x08 || u[3] != want_ndims) {
    return DataLossError(path + ": field 'magic': value " + Hex(u[0]) + " " + Hex(u[1]) + " " +
                         Hex(u[2]) + " " + Hex(u[3]) + ", expected 0x00 0x00 0x08 " +
                         Hex(want_ndims) + " (IDX unsigned bytes, " + std::to_string(want_ndims) +
                         " dims)");
  }
  *data_offset = 4 + 4 * static_cast<size_t>(want_ndims);
  if (bytes.size() < *data_offset) {
    return DataLossError(path + ": field 'dims': truncated header (" +
                         std::to_string(bytes.size()) + " bytes)");
  }
  dims->clear();
  for (int d = 0; d < want_ndims; ++d) {
    dims->push_back(BigEndian32(bytes, 4 + 4 * d));
    if (d > 0 && dims->back() == 0) {
      return DataLossError(path + ": field 'dims[" + std::to_string(d) + "]': value 0");
    }
  }
  STRATA_RETURN_IF_ERROR(CheckDataSize(path, bytes.size() - *data_offset, *dims));
  // Image height and width become ints (Dataset::height()/width()); with 0 images no data
  // bounds them, so check them here.
  for (int d = 1; d < want_ndims; ++d) {
    if ((*dims)[d] > static_cast<uint32_t>(INT32_MAX)) {
      return DataLossError(path + ": field 'dims[" + std::to_string(d) + "]': value " +
                           std::to_string((*dims)[d]) + " exceeds 2147483647");
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<int32_t>> ParseLabels(const std::string& path, const std::string& bytes,
                                           int* num_classes) {
  std::vector<uint32_t> dims;
  size_t off = 0;
  STRATA_RETURN_IF_ERROR(ParseIdx(path, bytes, 1, &dims, &off));
  std::vector<int32_t> labels(dims[0]);
  int max_label = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    labels[i] = static_cast<unsigned char>(bytes[off + i]);
    max_label = std::max(max_label, labels[i]);
    if (*num_classes > 0 && labels[i] >= *num_classes) {
      return InvalidArgumentError(path + ": field 'label' of example " + std::to_string(i) +
                                  ": value " + std::to_string(labels[i]) + " outside [0, " +
                                  std::to_string(*num_classes) + ")");
    }
  }
  if (*num_classes == 0) *num_classes = max_label + 1;
  return labels;
}

}  // namespace

StatusOr<std::string> ReadMaybeGzip(const std::string& path) {
  StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok() || !IsGzip(*bytes)) return bytes;
  return Inflate(path, *bytes);
}

StatusOr<std::unique_ptr<Dataset>> OpenIdxPair(const std::string& images_path,
                                               const std::string& labels_path, int num_classes,
                                               const std::string& name) {
  STRATA_ASSIGN_OR_RETURN(std::string label_bytes, ReadMaybeGzip(labels_path));
  STRATA_ASSIGN_OR_RETURN(std::vector<int32_t> labels,
                          ParseLabels(labels_path, label_bytes, &num_classes));
  STRATA_ASSIGN_OR_RETURN(std::string image_bytes, ReadMaybeGzip(images_path));
  std::vector<uint32_t> dims;
  size_t off = 0;
  STRATA_RETURN_IF_ERROR(ParseIdx(images_path, image_bytes, 3, &dims, &off));
  if (dims[0] != labels.size()) {
    return DataLossError(images_path + ": field 'count': value " + std::to_string(dims[0]) +
                         " images, but " + labels_path + " holds " + std::to_string(labels.size()) +
                         " labels");
  }
  std::vector<uint8_t> pixels(image_bytes.size() - off);
  std::memcpy(pixels.data(), image_bytes.data() + off, pixels.size());
  return std::unique_ptr<Dataset>(std::make_unique<InMemoryDataset>(
      name, 1, static_cast<int>(dims[1]), static_cast<int>(dims[2]), num_classes, std::move(pixels),
      std::move(labels)));
}

StatusOr<std::unique_ptr<Dataset>> OpenMnistDir(const std::string& dir, bool train,
                                                const std::string& name) {
  const std::string prefix = dir + "/" + (train ? "train" : "t10k");
  auto find = [](const std::string& base) -> StatusOr<std::string> {
    if (FileExists(base + ".gz")) return base + ".gz";
    if (FileExists(base)) return base;
    return NotFoundError(base + ".gz: not found (nor " + base + ")");
  };
  STRATA_ASSIGN_OR_RETURN(std::string images, find(prefix + "-images-idx3-ubyte"));
  STRATA_ASSIGN_OR_RETURN(std::string labels, find(prefix + "-labels-idx1-ubyte"));
  return OpenIdxPair(images, labels, 10, name + (train ? "/train" : "/test"));
}

}  // namespace datasets
}  // namespace strata
