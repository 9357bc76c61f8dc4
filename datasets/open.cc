// Open(): from a DatasetConfig to a reader, then the optional subset.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "datasets/cifar.h"
#include "datasets/dataset.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"
#include "datasets/in_memory.h"
#include "datasets/synthetic.h"

namespace strata {
namespace datasets {
namespace {

std::string KindName(DatasetConfig::Kind kind) {
  const std::string& name = DatasetConfig::Kind_Name(kind);
  return name.empty() ? "<unknown>" : name;
}

// TRAIN -> true, TEST -> false; anything else names the field and value.
StatusOr<bool> IsTrain(const DatasetConfig& config) {
  if (config.split() == DatasetConfig::TRAIN) return true;
  if (config.split() == DatasetConfig::TEST) return false;
  const std::string& name = DatasetConfig::Split_Name(config.split());
  return InvalidArgumentError("config field 'split': value " + std::to_string(config.split()) +
                              " (" + (name.empty() ? "<unknown>" : name) + ") for kind " +
                              KindName(config.kind()) + "; expected TRAIN or TEST");
}

StatusOr<std::string> RequirePath(const DatasetConfig& config) {
  if (!config.path().empty()) return config.path();
  return InvalidArgumentError("config field 'path': empty for kind " + KindName(config.kind()) +
                              "; give the dataset directory");
}

std::string Resolve(const std::string& dir, const std::string& file) {
  return file.empty() || file[0] == '/' || dir.empty() ? file : dir + "/" + file;
}

StatusOr<std::unique_ptr<Dataset>> OpenIdxConfig(const DatasetConfig& config) {
  if (config.idx_images().empty() || config.idx_labels().empty()) {
    return InvalidArgumentError("config fields 'idx_images'/'idx_labels': values '" +
                                config.idx_images() + "'/'" + config.idx_labels() +
                                "'; kind IDX needs both files");
  }
  if (config.num_classes() < 0 || config.num_classes() > 256) {
    return InvalidArgumentError("config field 'num_classes': value " +
                                std::to_string(config.num_classes()) + " outside [0, 256]");
  }
  return OpenIdxPair(Resolve(config.path(), config.idx_images()),
                     Resolve(config.path(), config.idx_labels()), config.num_classes(), "idx");
}

StatusOr<std::unique_ptr<Dataset>> OpenReader(const DatasetConfig& config) {
  switch (config.kind()) {
    case DatasetConfig::FASHION_MNIST: {
      STRATA_ASSIGN_OR_RETURN(bool train, IsTrain(config));
      const std::string dir = config.path().empty() ? kDebianFashionMnistDir : config.path();
      return OpenMnistDir(dir, train, "fashion-mnist");
    }
    case DatasetConfig::MNIST: {
      STRATA_ASSIGN_OR_RETURN(bool train, IsTrain(config));
      STRATA_ASSIGN_OR_RETURN(std::string dir, RequirePath(config));
      return OpenMnistDir(dir, train, "mnist");
    }
    case DatasetConfig::IDX:
      return OpenIdxConfig(config);
    case DatasetConfig::CIFAR10:
    case DatasetConfig::CIFAR100: {
      STRATA_ASSIGN_OR_RETURN(bool train, IsTrain(config));
      STRATA_ASSIGN_OR_RETURN(std::string dir, RequirePath(config));
      return config.kind() == DatasetConfig::CIFAR10 ? OpenCifar10(dir, train)
                                                     : OpenCifar100(dir, train);
    }
    case DatasetConfig::IMAGE_FOLDER: {
      STRATA_ASSIGN_OR_RETURN(std::string dir, RequirePath(config));
      return OpenImageFolder(dir, config.image());
    }
    case DatasetConfig::SYNTHETIC: {
      STRATA_ASSIGN_OR_RETURN(bool train, IsTrain(config));
      return OpenSynthetic(config.synthetic(), train);
    }
    default:
      return InvalidArgumentError("config field 'kind': value " + std::to_string(config.kind()) +
                                  " (" + KindName(config.kind()) + ") is not a dataset kind");
  }
}

// Collects the text-format parser's complaints (line, column, message).
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!errors_.empty()) errors_ += "; ";
    errors_ += "line " + std::to_string(line + 1) + " column " + std::to_string(column + 1) + ": " +
               message;
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string errors_;
};

}  // namespace

StatusOr<std::unique_ptr<Dataset>> Open(const DatasetConfig& config) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> base, OpenReader(config));
  return ApplySubset(config, std::move(base));
}

StatusOr<DatasetConfig> ParseDatasetConfig(const std::string& text) {
  DatasetConfig config;
  ErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return InvalidArgumentError("DatasetConfig text: " + errors.errors());
  }
  return config;
}

}  // namespace datasets
}  // namespace strata
