#!/usr/bin/env bash
# Assembles a CPU-only libtorch 2.13.0 into `.libtorch/` at the repository root, from
# PyPI alone, for `cargo build --features exec` (tch 0.26 needs exactly this version).
#
# Why from PyPI: this project's machines reach only the package registries, so the
# libtorch zip from download.pytorch.org is out of reach. The `torch` wheel carries the
# same headers and shared libraries; we take the CPU part of it and two CUDA runtime
# libraries that libtorch_cpu.so is linked against even when no GPU is used.
#
# Idempotent and argument-free: a finished `.libtorch/` is left alone. Every wheel is
# pinned by its sha256, so a changed upload on the registry fails loudly.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.libtorch"
version="2.13.0"

if [[ -f "$dest/build-version" && "$(cat "$dest/build-version")" == "$version" \
      && -e "$dest/lib/libtorch.so" && -d "$dest/include/torch" ]]; then
    echo "libtorch $version is already in $dest"
    exit 0
fi

for tool in python3 unzip sha256sum; do
    command -v "$tool" >/dev/null || { echo "setup-libtorch: needs $tool on PATH" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/libtorch-setup.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The hashes are those of the wheels for CPython 3.11 on manylinux x86_64; pip checks
# them because of --require-hashes.
cat >"$work/requirements.txt" <<'EOF'
torch==2.13.0 --hash=sha256:60fcdcb2f3876e21146cb4524ef06397d727ca9ad5f020818547e25075fe3cb7
nvidia-cuda-runtime==13.0.96 --hash=sha256:7f82250d7782aa23b6cfe765ecc7db554bd3c2870c43f3d1821f1d18aebf0548
nvidia-cuda-cupti==13.0.85 --hash=sha256:4eb01c08e859bf924d222250d2e8f8b8ff6d3db4721288cf35d14252a4d933c8
EOF

echo "setup-libtorch: downloading the torch $version wheel (about 530 MB) from PyPI"
# Several --platform values, because the NVIDIA wheels are tagged manylinux_2_17 and
# manylinux_2_25 while torch is manylinux_2_28; with only one, pip refuses some of them.
python3 -m pip download --quiet --no-deps --only-binary=:all: --no-cache-dir \
    --require-hashes -r "$work/requirements.txt" \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_25_x86_64 \
    --platform manylinux_2_17_x86_64 \
    --python-version 3.11 --implementation cp --abi cp311 \
    -d "$work/wheels"

# Assemble in a sibling folder and rename at the end, so an interrupted run never
# leaves a `.libtorch/` that looks finished.
staging="$root/.libtorch.partial"
rm -rf "$staging"
mkdir -p "$staging/lib"

unzip -q "$work"/wheels/torch-*.whl 'torch/include/*' \
    torch/lib/libtorch_cpu.so torch/lib/libc10.so torch/lib/libgomp.so.1 -d "$work/torch"
mv "$work/torch/torch/include" "$staging/include"
mv "$work/torch/torch/lib/"* "$staging/lib/"

unzip -q -j "$work"/wheels/nvidia_cuda_runtime-*.whl 'nvidia/*/lib/libcudart.so.13' -d "$staging/lib"
unzip -q -j "$work"/wheels/nvidia_cuda_cupti-*.whl 'nvidia/*/lib/libcupti.so.13' -d "$staging/lib"

# The wheel's libtorch.so wants libtorch_cuda.so; torch-sys links `-ltorch` and would
# also link libtorch_cuda*.so if it found them, so those stay out and libtorch.so
# points at the CPU library instead.
ln -s libtorch_cpu.so "$staging/lib/libtorch.so"
ln -s libgomp.so.1 "$staging/lib/libgomp.so"
# torch-sys reads this file to check the libtorch version it builds against.
echo "$version" >"$staging/build-version"

rm -rf "$dest"
mv "$staging" "$dest"
echo "libtorch $version assembled in $dest ($(du -sh "$dest" | cut -f1))"
