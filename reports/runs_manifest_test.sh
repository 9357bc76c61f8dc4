#!/bin/bash
# The committed reports/runs_manifest.bzl equals the manifest the tables plan now.
set -euo pipefail
reports="$1"
committed="$2"
"$reports" --print_bazel_runs > "$TEST_TMPDIR/manifest.bzl"
if ! diff -u "$committed" "$TEST_TMPDIR/manifest.bzl" > "$TEST_TMPDIR/diff"; then
  head -40 "$TEST_TMPDIR/diff"
  echo "reports/runs_manifest.bzl is stale: run 'bazel run //reports -- --write_bazel_runs'"
  exit 1
fi
echo "runs_manifest.bzl is current"
