#!/usr/bin/env bash
# The GPU check: builds the CUDA flavour, runs the tests tagged gpu, trains a GSM8K-style job for a few steps
# on a random-initialised Qwen2.5-0.5B-shaped model colocated on one GPU (nothing is downloaded at run time:
# the script writes the model folder and the data), and prints decode tokens/s at batch 64 and 256, the train
# step for 64 x 512 tokens with its model FLOPs utilisation, the share of each phase of a step and the peak
# GPU memory, after the same numbers from a plain PyTorch eager peer when python3 has a CUDA PyTorch. Ends with
# PASS or FAIL. Stops at once when no NVIDIA GPU is visible.
#
#   scripts/gpu-check.sh [--peak-tflops 494.7]    # the GPU's dense TF32 peak (H100/H200 SXM by default)
#
# The first CUDA build downloads PyTorch's CUDA natives from Maven Central (ai.djl.pytorch:pytorch-native-cu124,
# 2.4 GB) into ~/.m2; a machine without network needs that artifact in its local repository already.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
peak=()
if [ "${1:-}" = --peak-tflops ]; then
  peak=(--peak-tflops "$2")
fi
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU is visible (nvidia-smi finds none); nothing to check" >&2
  exit 2
fi
nvidia-smi -L
export TORCH_ALLOW_TF32_CUBLAS_OVERRIDE="${TORCH_ALLOW_TF32_CUBLAS_OVERRIDE:-1}"
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$root/.djl-cache}" DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/.djl-cache}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=()
step() { # name, command...
  local name="$1"; shift
  local t0=$SECONDS
  if "$@"; then echo "gpu-check: $name ok ($((SECONDS - t0)) s)"; else echo "gpu-check: $name FAILED"; failed+=("$name"); fi
}

step "CUDA build" mvn -B -q -Pcuda -DskipTests install
echo cuda > cli/target/flavour
step "gpu tests" mvn -B -q -Pcuda -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false test -pl runtime -am

bench=(java -Dai.djl.offline=true -jar bench/target/asyncrl-bench.jar)
step "model folder" "${bench[@]}" --write-model "$work/qwen2.5-0.5b-random"
gsm8k_style() { # GSM8K-style lines: {"question": ..., "answer": "...#### N"}
  local n=$1 seed=$2 i a b
  RANDOM=$seed
  for ((i = 0; i < n; i++)); do
    a=$((RANDOM % 90 + 10)); b=$((RANDOM % 90 + 10))
    printf '{"question": "Tom has %d apples and buys %d more. How many apples does he have?", "answer": "%d + %d = %d\\n#### %d"}\n' \
      "$a" "$b" "$a" "$b" "$((a + b))" "$((a + b))"
  done
}
gsm8k_style 512 1 > "$work/train.jsonl"
step "GSM8K-style job, colocated on cuda:0" java -Dai.djl.offline=true -jar cli/target/asyncrl.jar train \
  configs/gsm8k-qwen2.5-0.5b.yaml --run-dir "$work/run" --fresh \
  --set model.path="$work/qwen2.5-0.5b-random" --set task.data="$work/train.jsonl" \
  --set task.eval_data="$work/train.jsonl" --set task.eval_every=0 \
  --set task.chat_template=false --set devices.trainer=cuda:0 --set devices.rollout=cuda:0 \
  --set model.rollout_dtype=float16 --set trainer.steps=3 --set rollout.max_new_tokens=128
if [ -f "$work/run/metrics.jsonl" ]; then
  echo "gpu-check: the job's last step: $(tail -n 1 "$work/run/metrics.jsonl" | cut -c1-400)"
fi
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  step "PyTorch eager peer" python3 bench/python/gpu_peer.py "${peak[@]}"
else
  echo "gpu-check: no python3 with a CUDA PyTorch; the eager peer (bench/python/gpu_peer.py) is skipped"
fi
step "measurements" "${bench[@]}" --only gpu "${peak[@]}"

if [ ${#failed[@]} -eq 0 ]; then
  echo "gpu-check: PASS"
else
  echo "gpu-check: FAIL (${failed[*]})"
  exit 1
fi
