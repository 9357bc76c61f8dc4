// libFuzzer target: the IDX reader (datasets/idx.h: OpenIdxPair, hence ReadMaybeGzip's zlib
// inflate and the header/size/label validation). The reader takes file paths, so the input
// is split into two files in a private scratch directory:
//   byte 0        flags: bit 0 set -> num_classes = 10, clear -> 0 (inferred)
//   bytes 1..2    L, little-endian: the labels file's length (clamped to what remains)
//   next L bytes  labels file (IDX ubyte, 1 dim; raw or gzip)
//   the rest      images file (IDX ubyte, 3 dims; raw or gzip)
// Build and run with tools/fuzz/run.sh. Oracle beyond the sanitizers: an accepted dataset
// satisfies dataset.h's contract (strata::fuzz::CheckDataset); a rejected one names a file.
#include <algorithm>
#include <cstdint>
#include <string>

#include "datasets/idx.h"
#include "tools/fuzz/dataset_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  if (size < 3) return 0;
  const int num_classes = (data[0] & 1) ? 10 : 0;
  const size_t labels_len = std::min<size_t>(data[1] | (size_t{data[2]} << 8), size - 3);
  const std::string labels = fuzz::ScratchDir() + "/labels-idx1-ubyte";
  const std::string images = fuzz::ScratchDir() + "/images-idx3-ubyte";
  fuzz::WriteBytes(labels, data + 3, labels_len);
  fuzz::WriteBytes(images, data + 3 + labels_len, size - 3 - labels_len);
  StatusOr<std::unique_ptr<datasets::Dataset>> ds =
      datasets::OpenIdxPair(images, labels, num_classes, "fuzz");
  if (!ds.ok()) {
    if (ds.status().message().find("-ubyte") == std::string::npos) {
      fuzz::Fail("error without file name", ds.status().message());
    }
    return 0;
  }
  fuzz::CheckDataset(**ds, 1);
  if (num_classes == 10 && (*ds)->num_classes() != 10) fuzz::Fail("class count changed", "");
  return 0;
}
