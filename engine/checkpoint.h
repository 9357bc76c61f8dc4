// Checkpoints: a named tensor set (parameters, BN buffers, optimizer state) plus integer
// counters, in one file holding a CheckpointProto (engine/checkpoint.proto).
//
//   ParameterSet all = params; all.AddAll(buffers); all.AddAll(sgd.StateTensors());
//   STRATA_RETURN_IF_ERROR(SaveCheckpoint(path, all, {{"step", step}}));
//   std::map<std::string, int64_t> counters;
//   STRATA_RETURN_IF_ERROR(LoadCheckpoint(path, all, &counters));
//   sgd.set_steps(counters["sgd.steps"]);
//
// File: magic "strata.checkpoint", version kCheckpointVersion, the tensors in set order,
// the counters, and metadata "sha256" = SHA-256 of the same message serialized without
// that entry, so any truncation or corruption is detected even when it cuts at a field
// boundary that would still parse. Written atomically (WriteFileAtomic).
//
// Loading is all-or-nothing: the file is read and fully validated (magic, version,
// digest, every name of `into` present with the same shape, no unexpected names) before
// any tensor is overwritten. Errors name the file and the mismatch; nothing CHECK-fails
// on bad input.
#ifndef STRATA_ENGINE_CHECKPOINT_H_
#define STRATA_ENGINE_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <string>

#include "engine/nn.h"
#include "engine/status.h"

namespace strata {

constexpr char kCheckpointMagic[] = "strata.checkpoint";
constexpr uint32_t kCheckpointVersion = 1;

Status SaveCheckpoint(const std::string& path, const ParameterSet& tensors,
                      const std::map<std::string, int64_t>& counters = {});
struct LoadOptions {
  // Accept tensors in the file that `into` does not name (e.g. initialising a network
  // from a pretrained run's weights file, which also holds that run's step sizes).
  bool allow_extra = false;
};

// Overwrites the data of every tensor in `into`; counters (may be null) receive the file's.
Status LoadCheckpoint(const std::string& path, const ParameterSet& into,
                      std::map<std::string, int64_t>* counters,
                      const LoadOptions& options = LoadOptions());

}  // namespace strata

#endif  // STRATA_ENGINE_CHECKPOINT_H_
