#include "moo/train/progress.h"

#include <cmath>

namespace strata {
namespace moo {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, s % 3600 / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lds", s);
  }
  return buf;
}

std::string FormatProgress(const ProgressState& p, bool epoch_end) {
  char buf[256];
  if (epoch_end) {
    std::snprintf(buf, sizeof(buf), "epoch %d/%d done  loss %.4f  test top-1 %.2f%%  %.0f img/s",
                  p.epoch, p.epochs, p.loss, p.top1, p.images_per_second);
  } else {
    std::snprintf(
        buf, sizeof(buf), "epoch %d/%d  batch %lld/%lld  loss %.4f  acc %.2f%%  %.0f img/s  ETA %s",
        p.epoch, p.epochs, static_cast<long long>(p.batch), static_cast<long long>(p.batches),
        p.loss, p.top1, p.images_per_second, FormatDuration(p.eta_seconds).c_str());
  }
  return buf;
}

ProgressPrinter::ProgressPrinter(FILE* out, bool tty, double log_every_seconds)
    : out_(out), tty_(tty), log_every_seconds_(log_every_seconds) {}

void ProgressPrinter::Update(const ProgressState& p, bool epoch_end) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (tty_) {
    if (!epoch_end && printed_ && since < 0.1) return;
    std::fprintf(out_, "\r\033[K%s%s", FormatProgress(p, epoch_end).c_str(), epoch_end ? "\n" : "");
  } else {
    if (!epoch_end && printed_ && since < log_every_seconds_) return;
    std::fprintf(out_, "%s\n", FormatProgress(p, epoch_end).c_str());
  }
  std::fflush(out_);
  last_ = now;
  printed_ = true;
}

}  // namespace moo
}  // namespace strata
