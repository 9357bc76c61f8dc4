#!/usr/bin/env bash
# Installs strata's Debian 12 packages, idempotently and non-interactively.
# Both Quick-start commands call it first; it does nothing when all are present.
#   tools/setup.sh           build, test and table dependencies
#   tools/setup.sh --bench   also python3-torch, for benchmarks/pytorch_compare.py
#   tools/setup.sh --fuzz    also clang and libFuzzer, for tools/fuzz/run.sh (not CI)
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java bazel-rules-proto bazel-skylib
  libopenblas-dev libstb-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libdeflate-dev libssl-dev
  dataset-fashion-mnist gnuplot-nox g++ git
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3-torch) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
