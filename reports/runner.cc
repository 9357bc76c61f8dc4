// The runner and its result cache (runner.h).
#include "reports/runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include <google/protobuf/text_format.h>

#include "datasets/datasets.h"
#include "moo/train/proto_json.h"
#include "moo/train/train.h"

extern char** environ;

namespace strata {
namespace reports {
namespace {

constexpr char kEntryFile[] = "ENTRY";
constexpr char kKeyTag[] = "strata.run.v1";

std::string Join(const std::string& dir, const std::string& file) { return dir + "/" + file; }

std::string EntryText(const std::string& key, const std::string& result_sha,
                      const std::string& weights_sha) {
  return "key " + key + "\nresult.pb " + result_sha + "\n" + kWeightsFile + " " +
         weights_sha + "\n";
}

// The last `max_lines` lines of a file ("" when unreadable).
std::string Tail(const std::string& path, int max_lines) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return "";
  size_t pos = text->size();
  for (int n = 0; n <= max_lines && pos > 0;) {
    pos = text->rfind('\n', pos - 1);
    if (pos == std::string::npos) return *text;
    n += 1;
  }
  return text->substr(pos + 1);
}

// Runs argv[0] with argv, stdout and stderr appended to log; the exit status.
StatusOr<int> Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    return IoError(args[0] + ": cannot start (" + std::strerror(err) + ")");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return IoError(args[0] + ": waitpid failed");
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// A config as an adopted result states it, compared with the planned one: the thread count
// and Fashion-MNIST's directory (a Bazel action passes its sandbox's) left out; the data
// itself is compared by digest.
void ClearRunLocalFields(ExperimentConfig* c) {
  c->set_threads(0);
  for (datasets::DatasetConfig* d : {c->mutable_train_data(), c->mutable_test_data()}) {
    if (d->kind() == datasets::DatasetConfig::FASHION_MNIST) d->clear_path();
  }
  if (c->has_pretrained()) ClearRunLocalFields(c->mutable_pretrained());
}
// Fashion-MNIST's directory as `planned` has it, at every level: an action's sandbox path
// means nothing outside the action.
void UsePlannedDataDirs(const ExperimentConfig& planned, ExperimentConfig* c) {
  for (auto [d, p] : {std::pair(c->mutable_train_data(), &planned.train_data()),
                      std::pair(c->mutable_test_data(), &planned.test_data())}) {
    if (d->kind() == datasets::DatasetConfig::FASHION_MNIST) d->set_path(p->path());
  }
  if (c->has_pretrained() && planned.has_pretrained()) {
    UsePlannedDataDirs(planned.pretrained(), c->mutable_pretrained());
  }
}
std::string AdoptionKey(ExperimentConfig c) {
  ClearRunLocalFields(&c);
  return DeterministicBinary(c);
}

std::string Label(const ExperimentConfig& c) {
  return (c.name().empty() ? c.model().name() : c.name()) + " (seed " + std::to_string(c.seed()) +
         ")";
}

}  // namespace

std::string RunKey(const ExperimentConfig& config, const std::string& code_version,
                   const std::string& train_data_digest, const std::string& test_data_digest,
                   const std::string& pretrained_key) {
  ExperimentConfig c = config;
  c.set_threads(0);
  c.clear_pretrained();  // stands in through its key, which covers its data and code
  std::string material = std::string(kKeyTag) + "\n";
  material += "code " + code_version + "\n";
  material += "train_data " + train_data_digest + "\n";
  material += "test_data " + test_data_digest + "\n";
  material += "pretrained " + pretrained_key + "\n";
  material += "config " + Sha256Hex(DeterministicBinary(c)) + "\n";
  return Sha256Hex(material);
}

std::string RunActionHash(const ExperimentConfig& config) {
  std::string text;
  CHECK(google::protobuf::TextFormat::PrintToString(config, &text));
  return Sha256Hex(text).substr(0, 20);
}

Runner::Runner(RunnerOptions options) : options_(std::move(options)) {}

StatusOr<std::string> Runner::DigestOf(const std::string& field, const std::string& serialized) {
  auto it = data_digests_.find(serialized);
  if (it != data_digests_.end()) return it->second;
  datasets::DatasetConfig d;
  CHECK(d.ParseFromString(serialized));
  StatusOr<std::unique_ptr<datasets::Dataset>> ds = datasets::Open(d);
  if (!ds.ok()) return ds.status().Annotate(field + ": ");
  const std::string digest = (*ds)->digest();
  data_digests_[serialized] = digest;
  return digest;
}

StatusOr<std::string> Runner::Key(const ExperimentConfig& config) {
  STRATA_ASSIGN_OR_RETURN(std::string train,
                          DigestOf("train_data", DeterministicBinary(config.train_data())));
  STRATA_ASSIGN_OR_RETURN(std::string test,
                          DigestOf("test_data", DeterministicBinary(config.test_data())));
  std::string pretrained;
  if (config.has_pretrained()) {
    StatusOr<std::string> k = Key(config.pretrained());
    if (!k.ok()) return k.status().Annotate("pretrained: ");
    pretrained = *k;
  }
  return RunKey(config, options_.code_version, train, test, pretrained);
}

StatusOr<RunResult> Runner::ReadEntry(const std::string& dir, const std::string& key) {
  const std::string entry = Join(dir, kEntryFile);
  if (!FileExists(entry)) return NotFoundError(entry + ": absent");
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(entry));
  STRATA_ASSIGN_OR_RETURN(std::string result_bytes, ReadFile(Join(dir, "result.pb")));
  STRATA_ASSIGN_OR_RETURN(std::string weights_bytes, ReadFile(Join(dir, kWeightsFile)));
  if (text != EntryText(key, Sha256Hex(result_bytes), Sha256Hex(weights_bytes))) {
    return DataLossError(entry + ": the key or a file's SHA-256 does not match");
  }
  RunResult r;
  if (!r.ParseFromString(result_bytes)) {
    return DataLossError(Join(dir, "result.pb") + ": does not parse as a RunResult");
  }
  return r;
}

Status Runner::Compute(const ExperimentConfig& config, const std::string& dir,
                       const RunRecord* pretrained) {
  std::string text;
  CHECK(google::protobuf::TextFormat::PrintToString(config, &text));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(Join(dir, "config.pbtxt"), text));
  std::vector<std::string> args = {options_.train_binary, "--config=" + Join(dir, "config.pbtxt"),
                                   "--out=" + dir, "--resume",
                                   "--code_version=" + options_.code_version};
  if (options_.threads > 0) args.push_back("--threads=" + std::to_string(options_.threads));
  if (pretrained != nullptr) {
    args.push_back("--init=" + Join(pretrained->dir, kWeightsFile));
    args.push_back("--pretrained_digest=" + pretrained->result.param_digest());
  }
  const std::string log = Join(dir, "train.log");
  STRATA_ASSIGN_OR_RETURN(int code, Spawn(args, log));
  if (code != 0) {
    return FailedPreconditionError("run " + Label(config) + " failed (train exit " +
                                   std::to_string(code) + "); end of " + log + ":\n" +
                                   Tail(log, 8));
  }
  return Status::Ok();
}

Status Runner::Adopt(const ExperimentConfig& config, const std::string& dir,
                     const RunRecord* pretrained) {
  const std::string src = Join(options_.adopt_dir, RunActionHash(config));
  const std::string result_path = Join(src, "result.pb");
  if (!FileExists(result_path)) return NotFoundError(src + ": no run action outputs");
  STRATA_ASSIGN_OR_RETURN(std::string result_bytes, ReadFile(result_path));
  STRATA_ASSIGN_OR_RETURN(std::string weights_bytes, ReadFile(Join(src, kWeightsFile)));
  RunResult r;
  if (!r.ParseFromString(result_bytes)) return DataLossError(result_path + ": not a RunResult");
  if (AdoptionKey(r.config()) != AdoptionKey(config)) {
    return FailedPreconditionError(result_path + ": field config: run '" + r.config().name() +
                                   "' differs from the planned config");
  }
  if (r.code_version() != options_.code_version) {
    return FailedPreconditionError(result_path + ": field code_version: '" + r.code_version() +
                                   "', this build is '" + options_.code_version + "'");
  }
  STRATA_ASSIGN_OR_RETURN(std::string train,
                          DigestOf("train_data", DeterministicBinary(config.train_data())));
  STRATA_ASSIGN_OR_RETURN(std::string test,
                          DigestOf("test_data", DeterministicBinary(config.test_data())));
  if (r.train_data_digest() != train || r.test_data_digest() != test) {
    return FailedPreconditionError(result_path + ": fields train/test_data_digest: trained on "
                                   "other data than the config names now");
  }
  if (pretrained != nullptr) {
    // The action's --init was its pretrained action's weights: they must be the cache's.
    const std::string init = Join(Join(options_.adopt_dir, RunActionHash(config.pretrained())),
                                  kWeightsFile);
    StatusOr<std::string> init_bytes = ReadFile(init);
    STRATA_ASSIGN_OR_RETURN(std::string cached, ReadFile(Join(pretrained->dir, kWeightsFile)));
    if (!init_bytes.ok() || Sha256Hex(*init_bytes) != Sha256Hex(cached)) {
      return FailedPreconditionError(init + ": not the pretrained weights of the cache entry " +
                                     pretrained->dir);
    }
  }
  // Stored as the action wrote it but for Fashion-MNIST's directory (the planned one: tables
  // reopen a run's test set from its result's config).
  UsePlannedDataDirs(config, r.mutable_config());
  std::string text;
  CHECK(google::protobuf::TextFormat::PrintToString(config, &text));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(Join(dir, "config.pbtxt"), text));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(Join(dir, kWeightsFile), weights_bytes));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(Join(dir, "result.json"), DeterministicJson(r)));
  STRATA_RETURN_IF_ERROR(
      WriteFileAtomic(Join(dir, "train.log"), "adopted from the Bazel run action outputs " + src +
                                                  " (not trained here)\n"));
  return WriteFileAtomic(Join(dir, "result.pb"), DeterministicBinary(r));
}

bool Runner::FromCache(RunRecord* rec) {
  if (options_.fresh) {
    std::error_code ec;
    std::filesystem::remove_all(rec->dir, ec);
    return false;
  }
  StatusOr<RunResult> cached = ReadEntry(rec->dir, rec->key);
  if (cached.ok()) {
    rec->result = *std::move(cached);
    rec->reused = true;
    ++reused_;
    return true;
  }
  if (cached.status().code() != StatusCode::kNotFound) {
    ++corrupt_;
    if (options_.log) {
      std::fprintf(options_.log, "cache entry %s is corrupt (%s): recomputing\n",
                   rec->dir.c_str(), cached.status().message().c_str());
    }
    std::error_code ec;
    std::filesystem::remove_all(rec->dir, ec);
  }
  return false;
}

Status Runner::Seal(RunRecord* rec) {
  StatusOr<std::string> result_bytes = ReadFile(Join(rec->dir, "result.pb"));
  StatusOr<std::string> weights_bytes = ReadFile(Join(rec->dir, kWeightsFile));
  if (!result_bytes.ok()) return result_bytes.status();
  if (!weights_bytes.ok()) return weights_bytes.status();
  if (!rec->result.ParseFromString(*result_bytes)) {
    return DataLossError(Join(rec->dir, "result.pb") + ": train wrote an unreadable result");
  }
  return WriteFileAtomic(Join(rec->dir, kEntryFile),
                         EntryText(rec->key, Sha256Hex(*result_bytes), Sha256Hex(*weights_bytes)));
}

StatusOr<RunRecord> Runner::Get(const ExperimentConfig& config) {
  RunRecord rec;
  STRATA_ASSIGN_OR_RETURN(rec.key, Key(config));
  rec.dir = Join(Join(options_.cache_dir, rec.key.substr(0, 2)), rec.key);
  if (FromCache(&rec)) return rec;
  RunRecord pre;
  if (config.has_pretrained()) {
    StatusOr<RunRecord> p = Get(config.pretrained());
    if (!p.ok()) return p.status().Annotate("pretrained of " + Label(config) + ": ");
    pre = *std::move(p);
  }
  STRATA_RETURN_IF_ERROR(MakeDirs(rec.dir));
  const RunRecord* pretrained = config.has_pretrained() ? &pre : nullptr;
  if (!options_.adopt_dir.empty()) {
    const Status a = Adopt(config, rec.dir, pretrained);
    rec.adopted = a.ok();
    if (!a.ok() && a.code() != StatusCode::kNotFound && options_.log) {
      std::fprintf(options_.log, "run %s: not adopted (%s)\n", Label(config).c_str(),
                   a.message().c_str());
    }
  }
  const auto start = std::chrono::steady_clock::now();
  if (!rec.adopted) {
    if (options_.log) {
      std::fprintf(options_.log, "run %s: training (log %s/train.log)\n", Label(config).c_str(),
                   rec.dir.c_str());
      std::fflush(options_.log);
    }
    STRATA_RETURN_IF_ERROR(Compute(config, rec.dir, pretrained));
  }
  STRATA_RETURN_IF_ERROR(Seal(&rec));
  ++(rec.adopted ? adopted_ : computed_);
  if (options_.log) {
    std::fprintf(options_.log, "run %s: top-1 %.2f%%%s %s in %.1f s\n", Label(config).c_str(),
                 rec.result.final_test_top1(), rec.result.diverged() ? " (diverged)" : "",
                 rec.adopted ? "adopted from its Bazel action" : "trained",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return rec;
}

}  // namespace reports
}  // namespace strata
