#include "datasets/cifar.h"

#include <vector>

#include "datasets/in_memory.h"
#include "engine/file_util.h"

namespace strata {
namespace datasets {
namespace {

constexpr int kPixels = 3 * 32 * 32;

struct LabelField {
  const char* name;
  int num_classes;
};

// Appends the records of one file. `fields` lists the label bytes in record order; the
// last one is the label kept.
Status AppendRecords(const std::string& path, const std::vector<LabelField>& fields,
                     std::vector<uint8_t>* pixels, std::vector<int32_t>* labels) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  const size_t record = fields.size() + kPixels;
  if (bytes.empty() || bytes.size() % record != 0) {
    return DataLossError(path + ": field 'size': value " + std::to_string(bytes.size()) +
                         " bytes is not a positive multiple of the " + std::to_string(record) +
                         "-byte record (truncated or not a CIFAR binary file)");
  }
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size() / record;
  for (size_t r = 0; r < n; ++r, u += record) {
    for (size_t f = 0; f < fields.size(); ++f) {
      if (u[f] >= fields[f].num_classes) {
        return InvalidArgumentError(path + ": field '" + fields[f].name + "' of record " +
                                    std::to_string(r) + ": value " + std::to_string(u[f]) +
                                    " outside [0, " + std::to_string(fields[f].num_classes) + ")");
      }
    }
    labels->push_back(u[fields.size() - 1]);
    pixels->insert(pixels->end(), u + fields.size(), u + record);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Dataset>> OpenCifarFiles(const std::vector<std::string>& paths,
                                                  const std::vector<LabelField>& fields,
                                                  const std::string& name) {
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
  for (const std::string& path : paths) {
    STRATA_RETURN_IF_ERROR(AppendRecords(path, fields, &pixels, &labels));
  }
  return std::unique_ptr<Dataset>(std::make_unique<InMemoryDataset>(
      name, 3, 32, 32, fields.back().num_classes, std::move(pixels), std::move(labels)));
}

}  // namespace

StatusOr<std::unique_ptr<Dataset>> OpenCifar10(const std::string& dir, bool train) {
  std::vector<std::string> paths;
  if (train) {
    for (int b = 1; b <= 5; ++b) paths.push_back(dir + "/data_batch_" + std::to_string(b) + ".bin");
  } else {
    paths.push_back(dir + "/test_batch.bin");
  }
  return OpenCifarFiles(paths, {{"label", 10}}, train ? "cifar10/train" : "cifar10/test");
}

StatusOr<std::unique_ptr<Dataset>> OpenCifar100(const std::string& dir, bool train) {
  return OpenCifarFiles({dir + (train ? "/train.bin" : "/test.bin")},
                        {{"coarse_label", 20}, {"fine_label", 100}},
                        train ? "cifar100/train" : "cifar100/test");
}

}  // namespace datasets
}  // namespace strata
