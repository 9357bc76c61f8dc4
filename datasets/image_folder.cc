#include "datasets/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>
#include <vector>

#include "datasets/image_ops.h"
#include "engine/file_util.h"

namespace strata {
namespace datasets {
namespace {

namespace fs = std::filesystem;

struct Entry {
  std::string path;  // relative to the root
  int32_t label;
  uint64_t bytes;
};

bool IsImageName(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

std::vector<std::string> SortedChildren(const fs::path& dir, bool want_dirs, std::error_code* ec) {
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, *ec), end; !*ec && it != end; it.increment(*ec)) {
    const bool is_dir = it->is_directory();
    if (is_dir == want_dirs && (is_dir || IsImageName(it->path().filename().string()))) {
      names.push_back(it->path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ImageFolderDataset : public Dataset {
 public:
  ImageFolderDataset(std::string root, DatasetConfig::ImageOptions options, int num_classes,
                     std::vector<Entry> entries, std::string digest)
      : root_(std::move(root)),
        options_(std::move(options)),
        channels_(options_.channels() == 0 ? 3 : options_.channels()),
        num_classes_(num_classes),
        entries_(std::move(entries)),
        digest_(std::move(digest)) {}

  int64_t size() const override { return static_cast<int64_t>(entries_.size()); }
  int num_classes() const override { return num_classes_; }
  int channels() const override { return channels_; }
  int height() const override { return fixed_size() ? options_.crop() : 0; }
  int width() const override { return fixed_size() ? options_.crop() : 0; }
  int32_t label(int64_t i) const override { return entries_[i].label; }
  const std::string& digest() const override { return digest_; }
  std::string description() const override {
    return "image-folder " + root_ + " (" + std::to_string(size()) + " images, " +
           std::to_string(num_classes_) + " classes)";
  }

  Status Get(int64_t i, Image* out) const override {
    const std::string path = root_ + "/" + entries_[i].path;
    STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
    if (options_.resize_shorter() == 0 && options_.crop() == 0) {
      return DecodeImage(path, bytes, channels_, out);
    }
    Image decoded, resized;
    STRATA_RETURN_IF_ERROR(DecodeImage(path, bytes, channels_, &decoded));
    const Image* img = &decoded;
    if (options_.resize_shorter() > 0) {
      int h = 0, w = 0;
      ShorterSideSize(decoded.h, decoded.w, options_.resize_shorter(), &h, &w);
      ResizeImage(decoded, h, w, &resized);
      img = &resized;
    }
    if (options_.crop() == 0) {
      *out = *img;
      return Status::Ok();
    }
    const int s = options_.crop();
    CropImage(*img, (img->h - s) / 2, (img->w - s) / 2, s, s, out);
    return Status::Ok();
  }

 private:
  bool fixed_size() const { return options_.crop() > 0; }

  std::string root_;
  DatasetConfig::ImageOptions options_;
  int channels_, num_classes_;
  std::vector<Entry> entries_;
  std::string digest_;
};

Status CheckOptions(const std::string& root, const DatasetConfig::ImageOptions& o) {
  auto bad = [&](const char* field, int value, const char* want) {
    return InvalidArgumentError(root + ": config field 'image." + std::string(field) + "': value " +
                                std::to_string(value) + " " + want);
  };
  if (o.channels() != 0 && o.channels() != 1 && o.channels() != 3) {
    return bad("channels", o.channels(), "must be 1 or 3");
  }
  if (o.resize_shorter() < 0) return bad("resize_shorter", o.resize_shorter(), "must be >= 0");
  if (o.crop() < 0) return bad("crop", o.crop(), "must be >= 0");
  if (o.crop() > 0 && o.resize_shorter() > 0 && o.crop() > o.resize_shorter()) {
    return bad("crop", o.crop(), "exceeds image.resize_shorter");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& root,
                                                   const DatasetConfig::ImageOptions& options) {
  STRATA_RETURN_IF_ERROR(CheckOptions(root, options));
  std::error_code ec;
  const std::vector<std::string> classes = SortedChildren(root, /*want_dirs=*/true, &ec);
  if (ec) return NotFoundError(root + ": cannot list the class folders (" + ec.message() + ")");
  if (classes.empty()) return NotFoundError(root + ": field 'classes': no class folders");
  std::vector<Entry> entries;
  std::string identity = "strata.image_folder.v1 channels=" + std::to_string(options.channels()) +
                         " resize_shorter=" + std::to_string(options.resize_shorter()) +
                         " crop=" + std::to_string(options.crop()) + "\n";
  for (size_t label = 0; label < classes.size(); ++label) {
    const fs::path dir = fs::path(root) / classes[label];
    const std::vector<std::string> images = SortedChildren(dir, /*want_dirs=*/false, &ec);
    if (ec) return IoError(dir.string() + ": cannot list images (" + ec.message() + ")");
    if (images.empty()) {
      return NotFoundError(dir.string() + ": field 'images' of class " + std::to_string(label) +
                           ": empty class folder (no .jpg/.jpeg/.png files)");
    }
    for (const std::string& name : images) {
      const std::string rel = classes[label] + "/" + name;
      const uint64_t bytes = fs::file_size(dir / name, ec);
      if (ec) return IoError(rel + ": " + ec.message());
      entries.push_back({rel, static_cast<int32_t>(label), bytes});
      identity += rel + " " + std::to_string(bytes) + "\n";
    }
  }
  return std::unique_ptr<Dataset>(std::make_unique<ImageFolderDataset>(
      root, options, static_cast<int>(classes.size()), std::move(entries), Sha256Hex(identity)));
}

}  // namespace datasets
}  // namespace strata
