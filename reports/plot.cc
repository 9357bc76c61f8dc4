#include "reports/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace strata {
namespace reports {
namespace {

// gnuplot string literal: single quotes, with embedded ones doubled.
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("''") : std::string(1, ch);
  return q + "'";
}

std::string DataFile(const Figure& f) {
  std::string data;
  char buf[64];
  for (const Series& s : f.series) {
    CHECK_EQ(s.x.size(), s.y.size()) << "Figure '" << f.title << "' series '" << s.title << "'";
    for (size_t i = 0; i < s.x.size(); ++i) {
      std::snprintf(buf, sizeof(buf), "%.9g %.9g\n", s.x[i], s.y[i]);
      data += buf;
    }
    data += "\n\n";  // next index block
  }
  return data;
}

Status RunGnuplot(const std::string& script_path) {
  const std::string cmd = "gnuplot " + script_path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return IoError("gnuplot: cannot start (" + cmd + ")");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  const int rc = ::pclose(p);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) == 127) {
    return FailedPreconditionError(
        "gnuplot not found: install Debian's gnuplot-nox (tools/setup.sh does)");
  }
  if (WEXITSTATUS(rc) != 0) return IoError("gnuplot failed on " + script_path + ": " + out);
  return Status::Ok();
}

}  // namespace

std::string GnuplotScript(const Figure& f, const std::string& data_path,
                          const std::string& terminal, const std::string& output) {
  std::string s = "set terminal " + terminal + "\nset output " + Quote(output) + "\n";
  s += "set title " + Quote(f.title) + "\nset xlabel " + Quote(f.xlabel) +
       "\nset ylabel " + Quote(f.ylabel) + "\nset key outside right\nset grid\n";
  if (f.logx) s += "set logscale x\n";
  if (f.series.empty()) return s + "plot 0 notitle\n";
  s += "plot ";
  for (size_t i = 0; i < f.series.size(); ++i) {
    s += (i ? ", \\\n     " : "") + Quote(data_path) + " index " + std::to_string(i) +
         " using 1:2 with " + f.series[i].style + " title " + Quote(f.series[i].title);
  }
  return s + "\n";
}

Status RenderFigure(const Figure& f, const std::string& base) {
  // Scratch next to the target, so the final rename never crosses file systems.
  std::string tmpl = base + ".plot_XXXXXX";
  if (::mkdtemp(&tmpl[0]) == nullptr) return IoError(base + ": cannot create a scratch dir");
  const std::string tmp = tmpl;
  const std::string data = tmp + "/data.txt";
  Status s = WriteFileAtomic(data, DataFile(f));
  const struct {
    const char* ext;
    const char* terminal;
  } kOutputs[] = {{"png", "pngcairo size 900,600 noenhanced"},
                  {"svg", "svg size 900,600 noenhanced"}};
  for (const auto& o : kOutputs) {
    if (!s.ok()) break;
    const std::string out = tmp + "/figure." + o.ext;
    const std::string script = tmp + "/plot_" + o.ext + ".gp";
    s = WriteFileAtomic(script, GnuplotScript(f, data, o.terminal, out));
    if (s.ok()) s = RunGnuplot(script);
    if (s.ok() && std::rename(out.c_str(), (base + "." + o.ext).c_str()) != 0) {
      s = IoError(base + "." + o.ext + ": cannot move the rendered figure into place");
    }
  }
  for (const char* name : {"data.txt", "plot_png.gp", "plot_svg.gp", "figure.png", "figure.svg"}) {
    std::remove((tmp + "/" + name).c_str());
  }
  ::rmdir(tmp.c_str());
  return s;
}

}  // namespace reports
}  // namespace strata
