#!/usr/bin/env bash
# Builds lrpseg against LibTorch 2.x and runs the whole suite there: Debian 12 (our
# platform and CI) has LibTorch 1.13 only, so this debootstraps Debian 13 (LibTorch and
# PyTorch 2.6, GCC 14) into a folder, copies the working tree's tracked files in and runs
# the README's `make test` inside it (its apt steps install the packages there). It checks
# the 1.x/2.x guards of src/util/torch_compat.h and PyTorch 2.6's weights_only loading of
# our model.pt; CUDA itself needs a GPU machine (scripts/gpu-check.sh).
#
# Usage (as root, with a Debian mirror reachable): scripts/torch2-check.sh [ROOT]
#   ROOT    the Debian 13 folder, kept between runs (default /var/tmp/lrpseg-trixie);
#           the build is kept in ROOT/root/lrpseg/build, so a rerun is incremental
#   MIRROR  Debian mirror (default http://deb.debian.org/debian); JOBS as for make
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/lrpseg-trixie}
mirror=${MIRROR:-http://deb.debian.org/debian}
jobs=${JOBS:-2}

if [ "$(id -u)" != 0 ]; then
  echo "torch2-check: needs root (debootstrap and chroot)" >&2
  exit 2
fi
if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  echo "torch2-check: debootstrap Debian 13 into $root"
  debootstrap --variant=minbase trixie "$root" "$mirror"
fi

# The chroot needs the kernel's file systems (chromium, ctest's process handling).
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" || true; done
}
trap cleanup EXIT
for fs in proc sys dev dev/pts dev/shm; do
  mkdir -p "$root/$fs"
  if ! mountpoint -q "$root/$fs"; then
    mount --bind "/$fs" "$root/$fs"
    mounted+=("$root/$fs")
  fi
done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# Tracked files of the working tree (uncommitted edits included); the build stays.
src="$root/root/lrpseg"
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
git -C "$repo" ls-files -z | (cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$src"

chroot "$root" bash -c "cd /root/lrpseg && make test JOBS=$jobs && \
  echo \"torch2-check: passed with LibTorch \$(python3 -c 'import torch; print(torch.__version__)')\""
