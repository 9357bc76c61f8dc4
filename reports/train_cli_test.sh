#!/bin/bash
# //reports:train end to end: a run killed (SIGKILL) mid-epoch and resumed with another
# thread count ends with the digest of an uninterrupted run; bad input exits non-zero
# with a message naming the field and writes nothing.
set -u
train="$1"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

config() {  # $1 = model name, $2 = epochs
  cat <<PBTXT
name: "cli"
model { name: "$1" width: 0.25 }
train_data { kind: SYNTHETIC split: TRAIN
  synthetic { num_examples: 3072 num_classes: 4 channels: 1 height: 28 width: 28 seed: 3 } }
test_data { kind: SYNTHETIC split: TEST
  synthetic { num_examples: 64 num_classes: 4 channels: 1 height: 28 width: 28 seed: 3 } }
augmentation: CIFAR_STYLE
batch_size: 32
epochs: $2
optimizer { lr: 0.05 momentum: 0.9 weight_decay: 5e-4 }
seed: 11
threads: 2
PBTXT
}
digest() { sed -n 's/^param digest //p' "$1"; }

config resnet20 3 > "$tmp/run.pbtxt"
"$train" --config="$tmp/run.pbtxt" --out="$tmp/full" > "$tmp/full.log" 2>&1 || fail "full run: $(cat "$tmp/full.log")"
want="$(digest "$tmp/full.log")"
[[ ${#want} -eq 64 ]] || fail "no digest in: $(cat "$tmp/full.log")"
grep -q '"openblas_coretype": "Haswell"' "$tmp/full/result.json" || fail "OPENBLAS_CORETYPE not recorded"

# Kill -9 shortly after the first epoch's checkpoint appears (in the second epoch).
"$train" --config="$tmp/run.pbtxt" --out="$tmp/killed" > "$tmp/killed.log" 2>&1 &
pid=$!
for _ in $(seq 1 2000); do [[ -e "$tmp/killed/checkpoint.ckpt" ]] && break; sleep 0.05; done
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null
[[ -e "$tmp/killed/checkpoint.ckpt" ]] || fail "no checkpoint before the kill"
[[ ! -e "$tmp/killed/result.pb" ]] || fail "the run finished before the kill; make it longer"
"$train" --config="$tmp/run.pbtxt" --out="$tmp/killed" --resume --threads=1 > "$tmp/resumed.log" 2>&1 ||
  fail "resume: $(cat "$tmp/resumed.log")"
got="$(digest "$tmp/resumed.log")"
[[ "$got" == "$want" ]] || fail "resumed digest $got != uninterrupted $want"
grep -q '"resumed": true' "$tmp/killed/result.json" || fail "resumed flag not set"

# Bad input: exit code, message, no output directory.
expect_error() {  # $1 = expected exit code, $2 = message, rest = flags
  local code="$1" msg="$2"
  shift 2
  "$train" "$@" > "$tmp/bad.log" 2>&1
  local rc=$?
  [[ $rc -eq $code ]] || fail "exit $rc (want $code) for $*: $(cat "$tmp/bad.log")"
  grep -qF -- "$msg" "$tmp/bad.log" || fail "no '$msg' in: $(cat "$tmp/bad.log")"
  [[ ! -e "$tmp/bad_out" ]] || fail "output written for $*"
}
config resnet21 1 > "$tmp/bad_model.pbtxt"
expect_error 1 "model.name: unknown model 'resnet21'" --config="$tmp/bad_model.pbtxt" --out="$tmp/bad_out"
config resnet20 -1 > "$tmp/bad_epochs.pbtxt"
expect_error 1 "epochs: -1 must be in [1" --config="$tmp/bad_epochs.pbtxt" --out="$tmp/bad_out"
expect_error 1 "does not exist" --config="$tmp/missing.pbtxt" --out="$tmp/bad_out"
expect_error 2 "unknown flag '--bogus'" --config="$tmp/run.pbtxt" --bogus
expect_error 2 "--threads" --config="$tmp/run.pbtxt" --threads=zero
# A checkpoint from another model in the output directory.
config vgg16_bn_small5 3 > "$tmp/vgg.pbtxt"
expect_error 1 "checkpoint.ckpt: written by a different experiment" --config="$tmp/vgg.pbtxt" \
  --out="$tmp/killed" --resume
echo PASS
