#!/bin/bash
# Run on a Debian 12 machine with apt (after `make deps`): downloads the Debian packages
# that scripts/gpu-check.sh builds lrpseg with on a GPU machine without apt or internet —
# the headers of nifticlib, CLI11, nlohmann-json, MathGL, Gloo and zlib, and the shared
# libraries lrpseg loads besides LibTorch (which the GPU machine's PyTorch brings) — as
# .deb files into gpu-debs/ (git-ignored), or the folder given.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/gpu-debs}")
headers="libnifti2-dev libznz-dev libcli11-dev nlohmann-json3-dev libmgl-dev libgloo-dev zlib1g-dev"
for p in $headers; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    { echo "fetch-gpu-debs: $p is not installed here (run make deps first)" >&2; exit 1; }
done

# The package owning a library file ("" for none); merged /usr: try both spellings.
owner() {
  local f=$1
  dpkg -S "$f" 2>/dev/null | head -1 | cut -d: -f1 && return
  dpkg -S "${f#/usr}" 2>/dev/null | head -1 | cut -d: -f1 && return
  dpkg -S "/usr$f" 2>/dev/null | head -1 | cut -d: -f1 || true
}

# The libraries lrpseg links (MathGL's core only, not its GUI back-ends; Gloo is inside a
# pip PyTorch), and every library file they load.
libs=""
for so in libnifti2.so libznz.so libmgl.so; do
  path=$(dpkg -L libnifti2-dev libznz-dev libmgl-dev | grep "/$so\$" | head -1)
  [ -n "$path" ] || { echo "fetch-gpu-debs: $so not found in the -dev packages" >&2; exit 1; }
  libs="$libs $(readlink -f "$path")"
done
closure=$(for l in $libs; do echo "$l"; ldd "$l" | awk '/=> \//{print $3}'; done | sort -u)

# The C and C++ runtime and OpenMP are the GPU machine's own (PyTorch ships its libgomp).
skip=" libc6 libgcc-s1 libstdc++6 libgomp1 libcrypt1 "
packages=" $headers "
for f in $closure; do
  p=$(owner "$f")
  [ -n "$p" ] || { echo "fetch-gpu-debs: no package owns $f" >&2; exit 1; }
  case "$skip$packages" in *" $p "*) ;; *) packages="$packages$p " ;; esac
done

mkdir -p "$out"
cd "$out"
# shellcheck disable=SC2086  # one word per package
apt-get download $packages
echo "fetch-gpu-debs: $(ls ./*.deb | wc -l) packages, $(du -sh . | cut -f1) in $out"
