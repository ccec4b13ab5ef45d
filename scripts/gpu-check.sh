#!/bin/bash
# The GPU check (issue 15): on a machine with an NVIDIA GPU, a CUDA PyTorch, CMake and a
# C++ compiler, but no apt and no internet, builds lrpseg against the PyTorch's LibTorch
# and the Debian packages that scripts/fetch-gpu-debs.sh downloaded beforehand (unpacked
# into a prefix, like dpkg -x), then measures on the GPU:
#   bench train (paper-A width 32 at 19x48x48, float32 and bfloat16 autocast; size X 19x192x192),
#   bench lrp (one explanation and the 16-filter sweep at A and X; float64 at A),
#   a 2-epoch training on synthetic data (projected to the paper's 43 cases x 80 epochs),
#   and the same case explained on the CPU and the GPU in float64 (they must agree),
# and prints one JSON line with the figures (the steps' output goes to stderr).
#
#   scripts/gpu-check.sh [--device cuda|cuda:N|cpu] [--quick]
# --device cpu runs every step on the CPU (a check of this script on any machine);
# --quick uses a width-8 network and sizes A only. Environment: PYTHON (python3),
# GPU_DEBS (gpu-debs/), GPU_BUILD (build-gpu/), JOBS (all cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
device=cuda
quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --device) device=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "gpu-check: unknown argument $1 (--device D, --quick)" >&2; exit 2 ;;
  esac
done
python=${PYTHON:-python3}
debs=${GPU_DEBS:-$root/gpu-debs}
build=${GPU_BUILD:-$root/build-gpu}
jobs=${JOBS:-$(nproc)}
prefix=$build/prefix
say() { echo "gpu-check: $*" >&2; }
fail() { say "$*"; exit 1; }

# 1. The PyTorch to build against.
read -r torch_dir abi torch_version cuda_version gpu_name < <("$python" - "$device" <<'PY'
import os, sys, torch
device = sys.argv[1]
name = torch.cuda.get_device_name(torch.device(device)).replace(" ", "_") if device != "cpu" else "none"
print(os.path.dirname(torch.__file__), int(torch._C._GLIBCXX_USE_CXX11_ABI), torch.__version__,
      torch.version.cuda, name)
PY
) || fail "$python cannot import torch (set PYTHON)"
say "PyTorch $torch_version (CUDA $cuda_version) in $torch_dir, C++11 ABI $abi, GPU $gpu_name"

# 2. The Debian packages, unpacked into the prefix (dpkg-deb where it exists, else ar + tar).
ls "$debs"/*.deb > /dev/null 2>&1 || fail "no .deb files in $debs (run scripts/fetch-gpu-debs.sh on a Debian 12 machine)"
mkdir -p "$prefix"
for deb in "$debs"/*.deb; do
  if command -v dpkg-deb > /dev/null; then
    dpkg-deb -x "$deb" "$prefix"
  else
    member=$(ar t "$deb" | grep '^data\.tar')
    case $member in
      *.xz) ar p "$deb" "$member" | tar -xJ -C "$prefix" ;;
      *.zst) ar p "$deb" "$member" | tar --zstd -x -C "$prefix" ;;
      *.gz) ar p "$deb" "$member" | tar -xz -C "$prefix" ;;
      *) fail "$deb: unknown member $member" ;;
    esac
  fi
done
# Debian's development symlinks point at absolute paths; make them point into the prefix.
find "$prefix" -type l -lname '/*' | while read -r link; do
  ln -sfn "$prefix$(readlink "$link")" "$link"
done
libdirs="$prefix/usr/lib/x86_64-linux-gnu:$prefix/usr/lib:$prefix/lib/x86_64-linux-gnu"

# 3. Build the program only (the tests need GoogleTest).
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLRPSEG_TESTS=OFF \
  -DLRPSEG_TORCH_DIR="$torch_dir" -DLRPSEG_TORCH_CXX11_ABI="$abi" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_LIBRARY_PATH="${libdirs//:/;}" \
  -DCMAKE_BUILD_RPATH="${libdirs//:/;}" > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; fail "configure failed"; }
build_start=$(date +%s)
cmake --build "$build" -j "$jobs" --target lrpseg >&2 || fail "build failed"
build_s=$(($(date +%s) - build_start))
bin=$build/lrpseg
export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$bin" --version >&2

# 4. The figures, each step's JSON into $work.
work=$build/check
rm -rf "$work"
mkdir -p "$work"
width=32
sizes="A:19x48x48 X:19x192x192"
if [ "$quick" = 1 ]; then
  width=8
  sizes="A:19x48x48"
fi
run() {  # name, then the command; its stdout into $work/name.json
  local name=$1
  shift
  say "$name: $*"
  "$@" > "$work/$name.json" || fail "$name failed"
}
for s in $sizes; do
  run "train_${s%%:*}" "$bin" bench train --device "$device" --width $width --size "${s#*:}" --repeat 10 --json
  run "lrp_${s%%:*}" "$bin" bench lrp --device "$device" --width $width --size "${s#*:}" --repeat 5 --json
done
if [ "$device" != cpu ]; then
  run train_A_amp "$bin" bench train --device "$device" --amp --width $width --size 19x48x48 --repeat 10 --json
fi
run lrp_A_double "$bin" bench lrp --device "$device" --width $width --precision double --repeat 3 --json

# A 2-epoch training on 8 synthetic cases (6 train, 2 validation), then one case explained on
# the CPU and the GPU in float64.
"$bin" synth --out "$work/data" --cases 8 --seed 0 > /dev/null
start=$(date +%s%N)
"$bin" train --device "$device" --data "$work/data" --out "$work/model" --width $width --epochs 2 \
  --cases 1-6 --val-cases 7-8 --quiet || fail "training failed"
train_ns=$(($(date +%s%N) - start))
devices=cpu
[ "$device" = cpu ] || devices="cpu $device"
for d in $devices; do
  "$bin" explain --device "$d" --model "$work/model" --data "$work/data" --cases 7 \
    --filters raw,pass:0-0.2 --precision double --out "$work/explain_${d//:/_}" --quiet ||
    fail "explain on $d failed"
done

# 5. One JSON line: the figures and the issue's GPU targets.
"$python" - "$work" "$device" "$torch_version" "$cuda_version" "$gpu_name" "$build_s" "$train_ns" <<'PY'
import glob, gzip, json, os, struct, sys
import torch
work, device, torch_version, cuda_version, gpu, build_s, train_ns = sys.argv[1:]
def load(name):
    path = os.path.join(work, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None
def nifti(path):  # float32 NIfTI-1 voxels, read with the header's vox_offset
    data = gzip.open(path).read()
    offset = int(struct.unpack("<f", data[108:112])[0])
    return torch.frombuffer(bytearray(data[offset:]), dtype=torch.float32).double()
agreement = {}
cpu_dir = os.path.join(work, "explain_cpu")
gpu_dir = os.path.join(work, "explain_" + device.replace(":", "_"))
for f in sorted(glob.glob(os.path.join(cpu_dir, "*", "relevance_*.nii.gz"))):
    g = f.replace(cpu_dir, gpu_dir)
    a, b = nifti(f), nifti(g)
    agreement[os.path.basename(f)] = float((a - b).abs().max() / a.abs().max().clamp_min(1e-300))
model = json.load(open(os.path.join(work, "model", "model.json")))
step = model["metrics"]["seconds_per_step"]
out = {"device": device, "gpu": gpu, "torch": torch_version, "cuda": cuda_version,
       "build_s": int(build_s), "train_2_epochs_s": int(train_ns) / 1e9, "seconds_per_step": step,
       "projected_paper_training_s": step * 43 * 80,
       "cpu_vs_device_max_relative_difference": agreement}
for name in ["train_A", "train_A_amp", "train_X", "lrp_A", "lrp_X", "lrp_A_double"]:
    out[name] = load(name)
a, l = out["train_A"], out["lrp_A"]
out["targets"] = {
    "training_step_A_s<=0.05": a["step_seconds_median"] <= 0.05,
    "explanation_A_s<=0.03": l["explain_s"] <= 0.03,
    "paper_training_s<=180": out["projected_paper_training_s"] <= 180,
    # Written as float32 at the case grid: equal up to that rounding.
    "cpu_equals_device_float64": max(agreement.values()) <= 1e-6}
print(json.dumps(out, separators=(",", ":")))
PY
