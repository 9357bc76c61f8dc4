// parity_dump <model> <width> <input_size> <dir>: writes <dir>/names.txt (parameter names
// in order), <dir>/<name>.bin (float32 per parameter), x.bin (a (2, 3, S, S) input),
// y_train.bin (logits in training mode) and y_eval.bin (then in eval mode, after that one
// update of the running statistics), for models/testdata/pytorch_parity.py.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "models/models.h"

namespace {

void Write(const std::string& path, const strata::Tensor& t) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(t.data()), t.numel() * sizeof(float));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strata;
  if (argc != 5) {
    std::fprintf(stderr, "usage: parity_dump <model> <width> <input_size> <dir>\n");
    return 2;
  }
  models::ModelSpec spec;
  spec.name = argv[1], spec.width = std::atof(argv[2]), spec.input_size = std::atoi(argv[3]);
  spec.in_channels = 3, spec.num_classes = 10, spec.seed = 5;
  StatusOr<std::unique_ptr<models::Network>> net = models::Build(spec);
  if (!net.ok()) {
    std::fprintf(stderr, "%s\n", net.status().ToString().c_str());
    return 1;
  }
  const std::string dir = argv[4];
  std::ofstream names(dir + "/names.txt");
  for (const NamedTensor& e : (*net)->params().entries()) {
    names << e.name << "\n";
    Write(dir + "/" + e.name + ".bin", e.tensor);
  }
  Tensor x = Tensor::Zeros({2, 3, spec.input_size, spec.input_size});
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data()[i] = std::sin(0.013f * i) + 0.3f * std::cos(0.7f * i);
  Write(dir + "/x.bin", x);
  models::ForwardContext ctx;
  ctx.training = true;
  Write(dir + "/y_train.bin", (*net)->Forward(x, ctx));
  ctx.training = false;
  Write(dir + "/y_eval.bin", (*net)->Forward(x, ctx));
  return 0;
}
