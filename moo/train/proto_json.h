// Protobuf bytes and JSON that depend only on the message's content: deterministic
// serialization (map keys sorted) and protobuf's JSON mapping of those bytes (field names
// as in the .proto). Same message => same bytes, whatever order maps were filled in.
// Also text-format parsing with located errors (configs and presets).
#ifndef STRATA_MOO_TRAIN_PROTO_JSON_H_
#define STRATA_MOO_TRAIN_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>

namespace strata {
namespace moo {

std::string DeterministicBinary(const google::protobuf::Message& message);
std::string DeterministicJson(const google::protobuf::Message& message);

// Parses protobuf text format into *message; an error names source, line and column:
// "<source>:3:7: Expected integer, got: x".
bool ParseTextProto(const std::string& text, const std::string& source,
                    google::protobuf::Message* message, std::string* error);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_PROTO_JSON_H_
