// The reproducibility manifest (digests.h).
#include "reports/digests.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <set>

namespace strata {
namespace reports {

StatusOr<Digests> PlannedDigests(const TableContext& ctx) {
  Digests d;
  for (const TableDef& def : AllTables()) {
    if (!def.build || !def.plan) continue;
    STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(def, ctx));
    std::map<std::string, std::string>& table = d[def.target];
    for (const SeededRuns& run : runs) {
      for (const RunRecord& seed : run.seeds) {
        const std::string key = run.id + "_s" + std::to_string(seed.result.config().seed());
        table[key] = seed.result.param_digest();
        // The run it started from (a QAT run's FP model) is a run too.
        if (!seed.result.pretrained_digest().empty()) {
          table[key + ".pretrained"] = seed.result.pretrained_digest();
        }
      }
    }
  }
  return d;
}

std::string DigestsJson(const Digests& d) {
  std::string out = "{\n";
  for (auto t = d.begin(); t != d.end(); ++t) {
    out += "  \"" + t->first + "\": {\n";
    for (auto r = t->second.begin(); r != t->second.end(); ++r) {
      out += "    \"" + r->first + "\": \"" + r->second + "\"" +
             (std::next(r) == t->second.end() ? "\n" : ",\n");
    }
    out += std::string("  }") + (std::next(t) == d.end() ? "\n" : ",\n");
  }
  return out + "}\n";
}

StatusOr<Digests> ParseDigestsJson(const std::string& text, const std::string& source) {
  google::protobuf::Struct json;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &json);
  if (!status.ok()) return DataLossError(source + ": not JSON (" + status.ToString() + ")");
  Digests d;
  for (const auto& [table, runs] : json.fields()) {
    if (!runs.has_struct_value()) {
      return DataLossError(source + ": field " + table + ": not an object of run digests");
    }
    for (const auto& [run, digest] : runs.struct_value().fields()) {
      if (!digest.has_string_value()) {
        return DataLossError(source + ": field " + table + "." + run + ": not a digest string");
      }
      d[table][run] = digest.string_value();
    }
  }
  return d;
}

std::vector<std::string> DiffDigests(const Digests& want, const Digests& got) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const Digests* d : {&want, &got}) {
    for (const auto& [table, runs] : *d) {
      for (const auto& [run, digest] : runs) keys.insert({table, run});
    }
  }
  auto find = [](const Digests& d, const std::string& table, const std::string& run) {
    const auto t = d.find(table);
    if (t == d.end()) return std::string("none");
    const auto r = t->second.find(run);
    return r == t->second.end() ? std::string("none") : r->second;
  };
  std::vector<std::string> diff;
  for (const auto& [table, run] : keys) {
    const std::string a = find(want, table, run), b = find(got, table, run);
    if (a != b) diff.push_back(table + " " + run + ": want " + a + ", got " + b);
  }
  return diff;
}

std::string DigestsPath(const std::string& preset) {
  return "reports/results/" + preset + "_digests.json";
}

}  // namespace reports
}  // namespace strata
