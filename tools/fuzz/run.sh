#!/usr/bin/env bash
# Builds strata's libFuzzer targets with clang (outside Bazel, which uses gcc) and runs each
# for a while. See tools/fuzz/README.md. Needs clang + libFuzzer: tools/setup.sh --fuzz.
#
#   tools/fuzz/run.sh [seconds] [target...]   seconds per target (default 120); targets
#                                             default to all: hwsim_config hwsim_topology
#                                             idx cifar
# Environment:
#   STRATA_FUZZ_WORK   work directory (binaries, corpora, crash artifacts, logs); default a
#                      fresh mktemp -d under $TMPDIR or /tmp. Reuse one to keep a corpus.
#   STRATA_FUZZ_ARGS   extra libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-runs=0"
#   CXX                default clang++
# Exit status: 0 when no target found anything, 1 otherwise (artifacts are in $work/artifacts).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-120}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(hwsim_config hwsim_topology idx cifar)

CXX=${CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (tools/setup.sh --fuzz)" >&2; exit 2; }
command -v protoc >/dev/null || { echo "run.sh: protoc not found (tools/setup.sh)" >&2; exit 2; }

work=${STRATA_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz.XXXXXX")}
mkdir -p "$work"/{obj,bin,gen,seeds,corpus,artifacts,logs}
# The dataset targets write their inputs to files; keep those off the disk when possible.
scratch_base=/tmp
[[ -w /dev/shm ]] && scratch_base=/dev/shm
export STRATA_FUZZ_SCRATCH
STRATA_FUZZ_SCRATCH=$(mktemp -d "$scratch_base/strata-fuzz-scratch.XXXXXX")
trap 'rm -rf "$STRATA_FUZZ_SCRATCH"' EXIT
echo "run.sh: work directory $work" >&2

# Objects get the sanitizers and coverage instrumentation; only the link adds libFuzzer's main.
common=(-std=c++17 -g -O1 -I. -I"$work/gen")
cflags=("${common[@]}" -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
lflags=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

compile() {  # compile SRC -> $work/obj/<mangled>.o, echoes the object
  local src=$1 obj
  obj="$work/obj/$(echo "$src" | tr '/' '_').o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" ]]; then
    "$CXX" "${cflags[@]}" -c "$src" -o "$obj"
  fi
  echo "$obj"
}

link() {  # link NAME SRC... -- LIBS...
  local name=$1 objs=() libs=()
  shift
  while [[ $# -gt 0 && "$1" != "--" ]]; do objs+=("$(compile "$1")"); shift; done
  [[ $# -gt 0 ]] && shift
  libs=("$@")
  "$CXX" "${lflags[@]}" "${objs[@]}" -o "$work/bin/$name" "${libs[@]}"
}

needs_datasets=0
for t in "${targets[@]}"; do [[ $t == idx || $t == cifar ]] && needs_datasets=1; done
if [[ $needs_datasets == 1 ]]; then
  protoc --proto_path=. --cpp_out="$work/gen" datasets/dataset.proto
fi
datasets_srcs=(
  "$work/gen/datasets/dataset.pb.cc" datasets/in_memory.cc
  engine/status.cc engine/check.cc engine/file_util.cc engine/rng.cc
)
datasets_libs=(-lprotobuf -lz -lcrypto -pthread)

# target -> how to build, seed, and run it
max_len_of() {
  case $1 in
    hwsim_config | hwsim_topology | idx) echo 4096 ;;
    cifar) echo 10000 ;;  # three CIFAR-100 records plus the flags byte
  esac
}

build() {
  echo "run.sh: building $1" >&2
  case $1 in
    hwsim_config)
      link hwsim_config_fuzzer tools/fuzz/hwsim_config_fuzzer.cc hwsim/config.cc hwsim/text_util.cc ;;
    hwsim_topology)
      link hwsim_topology_fuzzer tools/fuzz/hwsim_topology_fuzzer.cc hwsim/topology.cc \
        hwsim/text_util.cc ;;
    idx)
      link idx_fuzzer tools/fuzz/idx_fuzzer.cc datasets/idx.cc "${datasets_srcs[@]}" \
        -- "${datasets_libs[@]}" ;;
    cifar)
      link cifar_fuzzer tools/fuzz/cifar_fuzzer.cc datasets/cifar.cc "${datasets_srcs[@]}" \
        -- "${datasets_libs[@]}" ;;
    *) echo "run.sh: unknown target '$1' (hwsim_config hwsim_topology idx cifar)" >&2; exit 2 ;;
  esac
}

byte() { printf "\\x$(printf %02x "$1")"; }
le16() { byte $(($1 & 255)); byte $(($1 >> 8)); }
bytes() { head -c "$1" /dev/zero | tr '\0' "\\$2"; }  # N copies of one octal-coded byte

# IDX seed: flags byte, labels length (LE16), labels file, images file (idx_fuzzer.cc).
idx_seed() {  # idx_seed OUT FLAGS LABELS_FILE IMAGES_FILE
  { byte "$2"; le16 "$(wc -c <"$3")"; cat "$3" "$4"; } >"$1"
}

seed() {
  local dir="$work/seeds/$1" tmp="$work/seeds/tmp"
  rm -rf "$dir" "$tmp"
  mkdir -p "$dir" "$tmp"
  case $1 in
    hwsim_config) cp hwsim/presets/*.cfg "$dir/" ;;
    hwsim_topology) cp hwsim/testdata/*.csv "$dir/" ;;
    idx)
      # 3 labels (0, 1, 2) and 3 images of 4x4; 1 label and 1 image of 2x3.
      printf '\x00\x00\x08\x01\x00\x00\x00\x03\x00\x01\x02' >"$tmp/labels3"
      { printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x04'; bytes 48 200; } \
        >"$tmp/images3"
      printf '\x00\x00\x08\x01\x00\x00\x00\x01\x09' >"$tmp/labels1"
      { printf '\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03'; bytes 6 377; } \
        >"$tmp/images1"
      for f in labels3 images3 labels1 images1; do gzip -n -c "$tmp/$f" >"$tmp/$f.gz"; done
      idx_seed "$dir/raw_infer" 0 "$tmp/labels3" "$tmp/images3"
      idx_seed "$dir/raw_10" 1 "$tmp/labels3" "$tmp/images3"
      idx_seed "$dir/gz_10" 1 "$tmp/labels3.gz" "$tmp/images3.gz"
      idx_seed "$dir/mixed_infer" 0 "$tmp/labels1" "$tmp/images1.gz"
      ;;
    cifar)
      # flags byte (bit 0: CIFAR-100, bit 1: train) + records (cifar_fuzzer.cc).
      { printf '\x00'; printf '\x03'; bytes 3072 100; printf '\x09'; bytes 3072 7; } >"$dir/c10_test"
      { printf '\x02'; printf '\x00'; bytes 3072 1; } >"$dir/c10_train"
      { printf '\x01'; printf '\x13\x63'; bytes 3072 2; printf '\x00\x00'; bytes 3072 3; } \
        >"$dir/c100_test"
      { printf '\x03'; printf '\x05\x2a'; bytes 3072 4; } >"$dir/c100_train"
      ;;
  esac
  rm -rf "$tmp"
}

failed=()
for t in "${targets[@]}"; do
  build "$t"
  seed "$t"
done
for t in "${targets[@]}"; do
  args=(-max_total_time="$seconds" -max_len="$(max_len_of "$t")" -timeout=5 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-")
  [[ -f tools/fuzz/$t.dict ]] && args+=(-dict="tools/fuzz/$t.dict")
  # shellcheck disable=SC2206  # word splitting of extra flags is intended
  [[ -n "${STRATA_FUZZ_ARGS:-}" ]] && args+=(${STRATA_FUZZ_ARGS})
  mkdir -p "$work/corpus/$t"
  log="$work/logs/$t.log"
  echo "run.sh: fuzzing $t for ${seconds}s (log $log)" >&2
  rc=0
  "$work/bin/${t}_fuzzer" "${args[@]}" "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$log" | sed "s/^/  $t: /" >&2 || true
  if [[ $rc != 0 ]]; then
    failed+=("$t")
    echo "run.sh: $t FOUND something (exit $rc); see $log and $work/artifacts/" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|hwsim_.*fuzzer:|dataset fuzzer:)' "$log" |
      head -5 | sed "s/^/  $t: /" >&2 || true
  fi
done
echo "run.sh: corpora in $work/corpus, artifacts in $work/artifacts" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: no findings" >&2
