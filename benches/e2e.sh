#!/usr/bin/env bash
# End-to-end benchmark: whole `holdscreen screen` runs (read, index, resolve, rules, report)
# on generated books, with and without the SDN list. Uses hyperfine when installed
# (apt-get install hyperfine), else a timed loop.
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
declare -A runs=(
  [embedded]="$bin screen $work/book.csv --no-report --json $work/out.json --force -q"
  [consolidated]="$bin ${base[*]}"
  [consolidated+sdn]="$bin ${base[*]} --list data/ofac/sdn-2024-05-03"
)
echo "book: $rows rows"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 -N -i \
    -n embedded "${runs[embedded]}" \
    -n consolidated "${runs[consolidated]}" \
    -n consolidated+sdn "${runs[consolidated+sdn]}"
else
  for name in embedded consolidated consolidated+sdn; do
    start=$(date +%s%N)
    for _ in 1 2 3 4 5; do ${runs[$name]} || true; done
    end=$(date +%s%N)
    echo "$name: $(( (end - start) / 5000000 )) ms per run (mean of 5)"
  done
fi
