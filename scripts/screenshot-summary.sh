#!/usr/bin/env bash
# Grades an example exam with `pseudograde grade` and renders its summary.html in
# headless Chromium, to a PNG a person can look at, then checks in the rendered DOM that
# both charts are there. It is not part of `cargo test`, because CI machines have no
# Chromium.
#
#   scripts/screenshot-summary.sh [OUT.png] [WIDTHxHEIGHT]
#
# The exam is the SimSiam fixtures' answers (fixtures/simsiam/*.py) plus one empty
# answer, so the page shows an error row too. Chromium is /usr/bin/chromium, or
# $CHROMIUM; when it is missing and this runs as root, Debian's package is installed.

set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo/target/summary.png}")
size=${2:-1280x2200}
chromium=${CHROMIUM:-/usr/bin/chromium}

if [[ ! -x "$chromium" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "screenshot-summary.sh: $chromium is missing; install Debian's chromium package (as root: apt-get install chromium)" >&2
        exit 2
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/exam"
cp "$repo"/fixtures/simsiam/*.py "$work/exam/"
: >"$work/exam/empty_answer.py"

(cd "$repo" && cargo build --release --quiet)
"$repo/target/release/pseudograde" grade --rubric simsiam "$work/exam" --out "$work/graded"

# Every flag that would reach the network or a profile is off: the page is a local file.
browser=(
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars --user-data-dir="$work/profile"
)
mkdir -p "$(dirname "$out")"
"${browser[@]}" --window-size="${size/x/,}" --screenshot="$out" "file://$work/graded/summary.html" 2>"$work/chromium.log" ||
    { cat "$work/chromium.log" >&2; exit 1; }
if [[ ! -s "$out" ]]; then
    cat "$work/chromium.log" >&2
    echo "screenshot-summary.sh: Chromium wrote no screenshot" >&2
    exit 1
fi

# The DOM as Chromium built it: both charts must be there as inline SVG.
"${browser[@]}" --dump-dom "file://$work/graded/summary.html" >"$work/dom.html" 2>>"$work/chromium.log"
charts=$(grep -o '<svg' "$work/dom.html" | wc -l)
if [[ "$charts" -lt 2 ]]; then
    echo "screenshot-summary.sh: the rendered summary has $charts SVG charts, not 2" >&2
    exit 1
fi
echo "wrote $out ($size); the rendered summary has $charts SVG charts"
