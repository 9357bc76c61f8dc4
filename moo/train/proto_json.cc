#include "moo/train/proto_json.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "engine/engine.h"

namespace strata {
namespace moo {

namespace pb = google::protobuf;

std::string DeterministicBinary(const pb::Message& message) {
  std::string binary;
  {
    pb::io::StringOutputStream stream(&binary);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    CHECK(message.SerializeToCodedStream(&coded)) << "serialize " << message.GetTypeName();
  }
  return binary;
}

std::string DeterministicJson(const pb::Message& message) {
  static pb::util::TypeResolver* resolver = pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", pb::DescriptorPool::generated_pool());
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = pb::util::BinaryToJsonString(
      resolver, "type.googleapis.com/" + message.GetDescriptor()->full_name(),
      DeterministicBinary(message), &json, options);
  CHECK(status.ok()) << "DeterministicJson: " << status.ToString();
  return json;
}

namespace {

// Keeps the first error with its 1-based line and column.
class FirstError : public pb::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) {
      first = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string first;
};

}  // namespace

bool ParseTextProto(const std::string& text, const std::string& source, pb::Message* message,
                    std::string* error) {
  FirstError errors;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (parser.ParseFromString(text, message)) return true;
  *error = source + ":" + errors.first;
  return false;
}

}  // namespace moo
}  // namespace strata
