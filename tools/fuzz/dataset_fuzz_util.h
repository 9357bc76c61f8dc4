// Shared helpers for the datasets fuzz targets (idx_fuzzer.cc, cifar_fuzzer.cc): a private
// scratch directory the readers' file paths point into, and the invariants every Dataset
// a reader accepts must satisfy (dataset.h's contract).
#ifndef STRATA_TOOLS_FUZZ_DATASET_FUZZ_UTIL_H_
#define STRATA_TOOLS_FUZZ_DATASET_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "datasets/dataset.h"

namespace strata::fuzz {

[[noreturn]] inline void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "dataset fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// A directory private to this process, under $STRATA_FUZZ_SCRATCH (run.sh sets it and
// removes it afterwards), else /dev/shm when writable (no disk writes), else /tmp.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("STRATA_FUZZ_SCRATCH");
    if (base == nullptr) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string pattern = std::string(base) + "/strata-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp failed", pattern);
    return pattern;
  }();
  return dir;
}

inline void WriteBytes(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) Fail("cannot write", path);
  if (size > 0 && std::fwrite(data, 1, size, f) != size) Fail("short write", path);
  std::fclose(f);
}

// dataset.h: a sample is c x h x w bytes, labels lie in [0, num_classes), digest is 64 hex.
inline void CheckDataset(const datasets::Dataset& ds, int want_channels) {
  const std::string what = ds.description();
  if (ds.size() < 0) Fail("negative size", what);
  if (ds.channels() != want_channels) Fail("unexpected channel count", what);
  if (ds.height() <= 0 || ds.width() <= 0) Fail("non-positive sample shape", what);
  if (ds.num_classes() <= 0) Fail("non-positive class count", what);
  if (ds.digest().size() != 64) Fail("digest is not 64 hex digits", what);
  const int64_t sample = int64_t{ds.channels()} * ds.height() * ds.width();
  datasets::Image img;
  for (int64_t i = 0; i < ds.size() && i < 64; ++i) {
    const int32_t y = ds.label(i);
    if (y < 0 || y >= ds.num_classes()) Fail("label out of range", what);
    Status s = ds.Get(i, &img);
    if (!s.ok()) Fail("Get failed on an in-memory dataset", s.message());
    if (static_cast<int64_t>(img.data.size()) != sample) Fail("Get returned the wrong size", what);
  }
}

}  // namespace strata::fuzz

#endif  // STRATA_TOOLS_FUZZ_DATASET_FUZZ_UTIL_H_
