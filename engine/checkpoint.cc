#include "engine/checkpoint.h"

#include <cstring>
#include <unordered_map>

#include "engine/checkpoint.pb.h"
#include "engine/file_util.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace strata {
namespace {

constexpr char kDigestKey[] = "sha256";

// Deterministic serialization (map entries sorted), so a parsed message re-serializes to
// the same bytes and its digest can be checked.
std::string Serialize(const engine::CheckpointProto& proto) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  proto.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

std::string ShapeOf(const engine::TensorProto& t) {
  Shape s(t.shape().begin(), t.shape().end());
  return ShapeStr(s);
}

Status Validate(const std::string& path, engine::CheckpointProto& proto) {
  if (proto.magic() != kCheckpointMagic) {
    return DataLossError(path + ": not a strata checkpoint (magic '" + proto.magic() + "')");
  }
  if (proto.version() != kCheckpointVersion) {
    return FailedPreconditionError(path + ": checkpoint version " +
                                   std::to_string(proto.version()) + ", this build reads " +
                                   std::to_string(kCheckpointVersion));
  }
  auto it = proto.metadata().find(kDigestKey);
  if (it == proto.metadata().end()) return DataLossError(path + ": truncated (no digest)");
  const std::string digest = it->second;
  proto.mutable_metadata()->erase(kDigestKey);
  if (Sha256Hex(Serialize(proto)) != digest) {
    return DataLossError(path + ": truncated or corrupt (digest mismatch)");
  }
  return Status::Ok();
}

}  // namespace

Status SaveCheckpoint(const std::string& path, const ParameterSet& tensors,
                      const std::map<std::string, int64_t>& counters) {
  engine::CheckpointProto proto;
  proto.set_magic(kCheckpointMagic);
  proto.set_version(kCheckpointVersion);
  for (const NamedTensor& e : tensors.entries()) {
    engine::TensorProto* t = proto.add_tensors();
    t->set_name(e.name);
    for (int64_t d : e.tensor.shape()) t->add_shape(d);
    t->set_data(reinterpret_cast<const char*>(e.tensor.data()), e.tensor.numel() * sizeof(float));
  }
  for (const auto& [k, v] : counters) (*proto.mutable_counters())[k] = v;
  (*proto.mutable_metadata())[kDigestKey] = Sha256Hex(Serialize(proto));
  return WriteFileAtomic(path, Serialize(proto)).Annotate("writing checkpoint");
}

namespace {

// Every tensor of `into` present with its shape and size, and (unless allow_extra) no
// other name.
Status CheckNames(const std::string& path, const ParameterSet& into,
                  const std::unordered_map<std::string, const engine::TensorProto*>& by_name,
                  bool allow_extra) {
  for (const NamedTensor& e : into.entries()) {
    auto it = by_name.find(e.name);
    if (it == by_name.end()) {
      return FailedPreconditionError(path + ": tensor '" + e.name + "' missing");
    }
    const engine::TensorProto& t = *it->second;
    const Shape shape(t.shape().begin(), t.shape().end());
    if (shape != e.tensor.shape()) {
      return FailedPreconditionError(path + ": tensor '" + e.name + "' has shape " + ShapeOf(t) +
                                     ", expected " + ShapeStr(e.tensor.shape()));
    }
    if (t.data().size() != e.tensor.numel() * sizeof(float)) {
      return DataLossError(path + ": tensor '" + e.name + "' holds " +
                           std::to_string(t.data().size()) + " bytes for shape " + ShapeOf(t));
    }
  }
  for (const auto& [name, t] : by_name) {
    if (!allow_extra && into.Find(name) == nullptr) {
      return FailedPreconditionError(path + ": unexpected tensor '" + name + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadCheckpoint(const std::string& path, const ParameterSet& into,
                      std::map<std::string, int64_t>* counters, const LoadOptions& options) {
  STRATA_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  engine::CheckpointProto proto;
  if (!proto.ParseFromString(bytes)) {
    return DataLossError(path + ": truncated or corrupt (does not parse as a checkpoint)");
  }
  STRATA_RETURN_IF_ERROR(Validate(path, proto));
  std::unordered_map<std::string, const engine::TensorProto*> by_name;
  for (const engine::TensorProto& t : proto.tensors()) by_name[t.name()] = &t;
  STRATA_RETURN_IF_ERROR(CheckNames(path, into, by_name, options.allow_extra));
  for (const NamedTensor& e : into.entries()) {
    std::memcpy(e.tensor.data(), by_name[e.name]->data().data(), e.tensor.numel() * sizeof(float));
  }
  if (counters != nullptr) {
    counters->clear();
    for (const auto& [k, v] : proto.counters()) (*counters)[k] = v;
  }
  return Status::Ok();
}

}  // namespace strata
