// `bazel run //models:topology -- --model=resnet18 [--width=1] [--input_size=224]
//  [--in_channels=3] [--num_classes=1000]` prints the network's SCALE-Sim topology CSV
// (topology.h) for hwsim or SCALE-Sim itself. Exit 1 on a bad spec (the message names
// the field and value), 2 on a bad flag.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "models/models.h"

namespace {

// Parses "--name=<number>"; false when `arg` is another flag.
bool NumberFlag(const std::string& arg, const char* name, double* out, bool* bad) {
  const std::string prefix = std::string("--") + name + "=";
  if (arg.compare(0, prefix.size(), prefix) != 0) return false;
  const char* v = arg.c_str() + prefix.size();
  char* end = nullptr;
  *out = std::strtod(v, &end);
  *bad = *v == '\0' || *end != '\0';
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  strata::models::ModelSpec spec;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    double v = 0;
    bool bad = false;
    if (a.compare(0, 8, "--model=") == 0) {
      spec.name = a.substr(8);
    } else if (NumberFlag(a, "width", &v, &bad)) {
      spec.width = v;
    } else if (NumberFlag(a, "input_size", &v, &bad)) {
      spec.input_size = static_cast<int>(v);
    } else if (NumberFlag(a, "in_channels", &v, &bad)) {
      spec.in_channels = static_cast<int>(v);
    } else if (NumberFlag(a, "num_classes", &v, &bad)) {
      spec.num_classes = static_cast<int>(v);
    } else {
      bad = true;
    }
    if (bad) {
      std::fprintf(stderr, "topology: bad flag '%s'\n", argv[i]);
      return 2;
    }
  }
  strata::StatusOr<std::unique_ptr<strata::models::Network>> net = strata::models::Build(spec);
  if (!net.ok()) {
    std::fprintf(stderr, "topology: %s\n", net.status().ToString().c_str());
    return 1;
  }
  std::fputs(strata::models::TopologyCsv(strata::models::Topology(**net)).c_str(), stdout);
  return 0;
}
