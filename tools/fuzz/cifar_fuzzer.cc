// libFuzzer target: the CIFAR-10/100 binary readers (datasets/cifar.h). They read fixed
// file names under a directory, so the input is written into a private scratch directory:
//   byte 0     flags: bit 0 clear -> CIFAR-10, set -> CIFAR-100;
//              bit 1 set -> train split (CIFAR-10: the rest is written to all five
//              data_batch_<i>.bin; CIFAR-100: train.bin), clear -> test split
//   the rest   the batch file's bytes (records of 1 or 2 label bytes + 3072 pixels)
// Build and run with tools/fuzz/run.sh. Oracle beyond the sanitizers: an accepted dataset
// satisfies dataset.h's contract (strata::fuzz::CheckDataset); a rejected one names a file.
#include <cstdint>
#include <string>

#include "datasets/cifar.h"
#include "tools/fuzz/dataset_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  if (size < 1) return 0;
  const bool cifar100 = data[0] & 1, train = data[0] & 2;
  const std::string& dir = fuzz::ScratchDir();
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  auto open = [&]() -> StatusOr<std::unique_ptr<datasets::Dataset>> {
    if (cifar100) {
      fuzz::WriteBytes(dir + (train ? "/train.bin" : "/test.bin"), body, n);
      return datasets::OpenCifar100(dir, train);
    }
    if (train) {
      for (int b = 1; b <= 5; ++b) {
        fuzz::WriteBytes(dir + "/data_batch_" + std::to_string(b) + ".bin", body, n);
      }
    } else {
      fuzz::WriteBytes(dir + "/test_batch.bin", body, n);
    }
    return datasets::OpenCifar10(dir, train);
  };
  StatusOr<std::unique_ptr<datasets::Dataset>> ds = open();
  if (!ds.ok()) {
    if (ds.status().message().find(".bin") == std::string::npos) {
      fuzz::Fail("error without file name", ds.status().message());
    }
    return 0;
  }
  fuzz::CheckDataset(**ds, 3);
  if ((*ds)->height() != 32 || (*ds)->width() != 32) fuzz::Fail("CIFAR shape is not 32x32", "");
  if ((*ds)->num_classes() != (cifar100 ? 100 : 10)) fuzz::Fail("wrong class count", "");
  return 0;
}
