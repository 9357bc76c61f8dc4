// Protobuf bytes and JSON that depend only on the message's content: deterministic
// serialization (map keys sorted) and protobuf's JSON mapping of those bytes (field names
// as in the .proto). Same message => same bytes, whatever order maps were filled in.
// Also text-format parsing with located errors (configs and presets).
#ifndef STRATA_REPORTS_PROTO_JSON_H_
#define STRATA_REPORTS_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>

namespace strata {
namespace reports {

std::string DeterministicBinary(const google::protobuf::Message& message);
std::string DeterministicJson(const google::protobuf::Message& message);

// Parses protobuf text format into *message; an error names source, line and column:
// "<source>:3:7: Expected integer, got: x".
bool ParseTextProto(const std::string& text, const std::string& source,
                    google::protobuf::Message* message, std::string* error);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_PROTO_JSON_H_
