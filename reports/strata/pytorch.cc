// PyTorch beside the engine (pytorch.h).
#include "reports/strata/pytorch.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace strata {
namespace reports {
namespace strata_tables {
namespace {

constexpr char kDefaultPython[] = "/usr/bin/python3";
constexpr const char* kScript = kPytorchScript;

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// Runs `cmd` through the shell, stdout and stderr into *output. Exit status, or -1 when
// it could not be started or did not exit normally.
int RunCommand(const std::string& cmd, std::string* output) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  const int rc = ::pclose(p);
  return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Tail(const std::string& s, size_t n = 400) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// The script from the runfiles: the working directory under `bazel run`, else beside the
// binary (<exe>.runfiles/strata/...).
std::string FindScript() {
  std::vector<std::string> candidates = {kScript};
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) candidates.push_back(std::string(exe, n) + ".runfiles/strata/" + kScript);
  if (const char* r = std::getenv("RUNFILES_DIR")) {
    candidates.push_back(std::string(r) + "/strata/" + kScript);
  }
  for (const std::string& c : candidates) {
    if (FileExists(c)) return c;
  }
  return "";
}

}  // namespace

Pytorch FindPytorch(const TableContext& ctx) {
  Pytorch py;
  const auto it = ctx.flags.find("python");
  py.python = it == ctx.flags.end() || it->second.empty() ? kDefaultPython : it->second;
  py.script = FindScript();
  if (py.python == "none") {
    py.unavailable = "PyTorch not run (--python=none)";
  } else if (ctx.preset_config.speed().pytorch_on_request() && it == ctx.flags.end()) {
    // Importing torch alone takes seconds: such a preset runs it only when asked.
    py.unavailable =
        "PyTorch skipped at " + ctx.preset + " (--python=" + kDefaultPython + " runs it)";
  } else if (::access(py.python.c_str(), X_OK) != 0) {
    py.unavailable = "PyTorch not run: " + py.python +
                     " not found or not executable (Debian: python3, python3-torch)";
  } else if (py.script.empty()) {
    py.unavailable = std::string("PyTorch not run: ") + kScript +
                     " is not in the runfiles (//benchmarks:pytorch_compare)";
  }
  return py;
}

PytorchRun RunPytorch(Pytorch* py, const PytorchShape& s) {
  if (!py->unavailable.empty()) return {py->unavailable};
  std::ostringstream cmd;
  cmd << ShellQuote(py->python) << ' ' << ShellQuote(py->script) << " --json --model " << s.model
      << " --mode " << s.mode << " --batch " << s.batch << " --threads " << NumThreads()
      << " --warmup " << s.warmup << " --reps " << s.reps << " --input-size " << s.input_size
      << " --expect-params " << s.params;
  std::string output;
  const int status = RunCommand(cmd.str(), &output);
  PytorchRun run = ParsePytorchOutput(output, status);
  // No interpreter, no torch or no shell: the same for every later row.
  if (status == 4 || status == 126 || status == 127 || status == -1) py->unavailable = run.error;
  if (run.error.empty()) py->version = run.torch_version;
  return run;
}

PytorchRun ParsePytorchOutput(const std::string& output, int exit_status) {
  PytorchRun run;
  std::string line;
  std::istringstream lines(output);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty() && l[0] == '{') line = l;
  }
  google::protobuf::Struct json;
  if (line.empty() || !google::protobuf::util::JsonStringToMessage(line, &json).ok()) {
    run.error = "pytorch_compare.py (exit status " + std::to_string(exit_status) +
                ") printed no JSON result: " + Tail(output);
    return run;
  }
  const auto& f = json.fields();
  auto number = [&](const char* key) -> std::optional<double> {
    const auto it = f.find(key);
    if (it == f.end() || !it->second.has_number_value()) return std::nullopt;
    return it->second.number_value();
  };
  if (const auto p = number("params")) run.params = static_cast<int64_t>(*p);
  const auto err = f.find("error");
  if (err != f.end()) {
    run.error = "pytorch_compare.py: " + err->second.string_value();
    return run;
  }
  const auto img_s = number("img_s"), lo = number("img_s_min"), hi = number("img_s_max"),
             cpu = number("cpu_ms_median");
  const auto version = f.find("torch");
  if (exit_status != 0 || !img_s || !lo || !hi || !cpu || !run.params || version == f.end()) {
    run.error = "pytorch_compare.py (exit status " + std::to_string(exit_status) +
                "): incomplete result " + Tail(line);
    return run;
  }
  run.img_s = *img_s, run.img_s_min = *lo, run.img_s_max = *hi, run.cpu_ms = *cpu;
  run.torch_version = version->second.string_value();
  return run;
}

}  // namespace strata_tables
}  // namespace reports
}  // namespace strata
