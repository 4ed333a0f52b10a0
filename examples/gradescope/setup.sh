#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from the
# zip (unpacked in $ROOT/source). It installs pseudograde as $ROOT/bin/pseudograde,
# where run_autograder looks first:
#
# 1. the prebuilt binary shipped in the zip ($ROOT/source/pseudograde), if it runs on
#    this image (it needs a glibc at least as new as the machine that built it); else
# 2. a build of the source shipped in the zip ($ROOT/source/pseudograde-src), with a
#    Rust toolchain from rustup, since Ubuntu's packaged Rust is too old for the crate's
#    edition 2024. This needs the internet, which Gradescope's image build has.
#
# AUTOGRADER_ROOT (default /autograder) lets a test run this against a fake tree.

set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
BIN="$ROOT/bin"
mkdir -p "$BIN"

if [[ -f "$SOURCE/pseudograde" ]]; then
    install -m 755 "$SOURCE/pseudograde" "$BIN/pseudograde"
    if "$BIN/pseudograde" --version; then
        exit 0
    fi
    echo "setup.sh: the prebuilt pseudograde does not run on this image; building it from source" >&2
    rm -f "$BIN/pseudograde"
fi

if [[ ! -f "$SOURCE/pseudograde-src/Cargo.toml" ]]; then
    echo "setup.sh: neither a pseudograde binary that runs here nor pseudograde-src/ is in the autograder zip; rebuild it with make-autograder-zip.sh" >&2
    exit 1
fi

# A C compiler for tree-sitter's parser, and curl for rustup.
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl
if ! command -v cargo >/dev/null 2>&1; then
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    # shellcheck source=/dev/null
    source "$HOME/.cargo/env"
fi
target=$(mktemp -d)
cargo build --release --locked --manifest-path "$SOURCE/pseudograde-src/Cargo.toml" --target-dir "$target"
install -m 755 "$target/release/pseudograde" "$BIN/pseudograde"
rm -rf "$target"
"$BIN/pseudograde" --version
