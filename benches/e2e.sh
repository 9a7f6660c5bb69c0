#!/usr/bin/env bash
# End-to-end benchmark: whole `holdscreen screen` runs (read, index, resolve, rules, report)
# on generated books, with and without the SDN list; with the SDN list both from the list
# cache (the usual case: a repeated run) and parsed afresh (--no-cache: the first run after
# a new list). Uses hyperfine when installed (apt-get install hyperfine), else a timed loop.
#
#   benches/e2e.sh [ROWS]        (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/holdscreen
python3 benches/make_book.py "$work/book.csv" "$rows"

base=(screen "$work/book.csv" --list data/ofac/cons-2025-12 --no-report --json "$work/out.json" --force -q)
cache=(--cache-dir "$work/cache")
declare -A runs=(
  [embedded]="$bin screen $work/book.csv --no-report --json $work/out.json --force -q"
  [consolidated]="$bin ${base[*]} ${cache[*]}"
  [consolidated+sdn]="$bin ${base[*]} --list data/ofac/sdn-2024-05-03 ${cache[*]}"
  [consolidated+sdn-no-cache]="$bin ${base[*]} --list data/ofac/sdn-2024-05-03 --no-cache"
)
names=(embedded consolidated consolidated+sdn consolidated+sdn-no-cache)
echo "book: $rows rows"
if command -v hyperfine >/dev/null; then
  args=()
  for name in "${names[@]}"; do args+=(-n "$name" "${runs[$name]}"); done
  hyperfine --warmup 2 -N -i "${args[@]}"
else
  ${runs[consolidated+sdn]} || true # fills the cache
  for name in "${names[@]}"; do
    start=$(date +%s%N)
    for _ in 1 2 3 4 5; do ${runs[$name]} || true; done
    end=$(date +%s%N)
    echo "$name: $(( (end - start) / 5000000 )) ms per run (mean of 5)"
  done
fi
