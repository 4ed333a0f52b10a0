#!/usr/bin/env bash
# Builds the zip to upload as a Gradescope autograder: setup.sh, run_autograder and
# autograder.conf at its root (where Gradescope looks for them), the pseudograde source
# as committed (pseudograde-src/), and optionally a prebuilt binary and extra files.
#
#   examples/gradescope/make-autograder-zip.sh [--binary PATH] [--extra FILE]... OUT.zip
#
# --binary ships a prebuilt pseudograde that setup.sh uses when it runs on Gradescope's
# image, which saves building from source there; --extra adds a file (a rubric TOML, an
# edited autograder.conf) at the zip's root, replacing one of the same name.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
binary=""
extras=()
out=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --extra) extras+=("$2"); shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        -*) echo "make-autograder-zip.sh: unknown option $1" >&2; exit 2 ;;
        *) out="$1"; shift ;;
    esac
done
if [[ -z "$out" ]]; then
    echo "make-autograder-zip.sh: name the zip to write, e.g. autograder.zip" >&2
    exit 2
fi
command -v zip >/dev/null || { echo "make-autograder-zip.sh: needs zip (apt-get install zip)" >&2; exit 2; }
out=$(realpath -m "$out")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 755 "$here/setup.sh" "$here/run_autograder" "$stage/"
install -m 644 "$here/autograder.conf" "$stage/"
mkdir "$stage/pseudograde-src"
git -C "$repo" archive --format=tar HEAD | tar -x -C "$stage/pseudograde-src"
if [[ -n "$binary" ]]; then
    install -m 755 "$binary" "$stage/pseudograde"
fi
for f in "${extras[@]}"; do
    install -m 644 "$f" "$stage/"
done
rm -f "$out"
(cd "$stage" && zip -qr "$out" .)
echo "wrote $out"
