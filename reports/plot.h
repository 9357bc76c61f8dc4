// Figures through gnuplot (Debian's gnuplot-nox), never a hand-written plotter: a Figure
// becomes a data file and a gnuplot script in a temporary directory, gnuplot renders
// <base>.png (pngcairo) and <base>.svg, and both are renamed into place (atomic).
//
//   Figure f{"Accuracy vs model size", "size (Mbit)", "top-1 (%)"};
//   f.series.push_back({"once-QAT mixed", {1.2, 1.6}, {80.1, 84.3}, "linespoints"});
//   STRATA_RETURN_IF_ERROR(RenderFigure(f, out_dir + "/vl_fig8"));
#ifndef STRATA_REPORTS_PLOT_H_
#define STRATA_REPORTS_PLOT_H_

#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace reports {

struct Series {
  std::string title;
  std::vector<double> x, y;
  std::string style = "linespoints";  // any gnuplot `with` style: points, lines, boxes, ...
};

struct Figure {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  bool logx = false;
};

// The gnuplot script for `f` reading `data_path` (one index block per series), writing
// to `output` with `terminal`. Exposed for tests.
std::string GnuplotScript(const Figure& f, const std::string& data_path,
                          const std::string& terminal, const std::string& output);

// Writes <base>.png and <base>.svg. A missing gnuplot is a Status naming the package.
Status RenderFigure(const Figure& f, const std::string& base);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_PLOT_H_
