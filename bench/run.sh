#!/usr/bin/env bash
# End-to-end performance table (docs/performance.md): generated books of each size, as xlsx
# and csv; for each, the floor (the same crates only reading the file) and holdscreen with
# its default report, then with --json. The xlsx book is written twice: texts inline
# (`xlsx`) and in a shared-strings table as Excel saves them (`sst.xlsx`). Prints a
# Markdown table: wall time, CPU time (user+sys), peak RSS, and wall time as a multiple of
# the read floor of the same file.
#
#   bench/run.sh [ROWS...]          default: 100000 1000000
#   BENCH_DIR=/tmp/hs bench/run.sh  where books and reports go (default target/bench)
#   REPEAT=5 bench/run.sh           runs per measurement, the fastest kept (default 3)
#
# Needs GNU time (/usr/bin/time, Debian package `time`). The books are generated once per
# size by `cargo run --release --example gen_book` and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000)
work="${BENCH_DIR:-target/bench}"
mkdir -p "$work"
if [ ! -x /usr/bin/time ]; then
  echo "bench/run.sh needs GNU time: apt-get install time" >&2
  exit 2
fi
cargo build --release --quiet --bin holdscreen --example gen_book --example floor
bin=target/release/holdscreen
gen=target/release/examples/gen_book
floor=target/release/examples/floor

repeat="${REPEAT:-3}"

# measure CMD... -> sets wall cpu rss (seconds, seconds, MB) of the fastest of $repeat runs
measure() {
  wall=""
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || true
    read -r w user sys rss_kb < <(tail -n 1 "$work/time.txt")
    if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN { exit !(a < b) }'; then
      wall=$w
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
      rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
    fi
  done
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "holdscreen $(git describe --always --dirty 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
echo
echo "| rows | format | run | wall s | CPU s | peak RSS MB | x read floor |"
echo "|---:|---|---|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  book="$work/book-$n"
  [ -f "$book.xlsx" ] && [ -f "$book.csv" ] || "$gen" "$book" "$n"
  # The same book as Excel saves it, its texts in a shared-strings table.
  if [ ! -f "$book-sst.xlsx" ]; then
    GEN_BOOK_SHARED_STRINGS=1 "$gen" "$book-sst" "$n"
    rm -f "$book-sst.csv"
  fi
  for fmt in xlsx sst.xlsx csv; do
    file="$book.$fmt"
    [ "$fmt" = sst.xlsx ] && file="$book-sst.xlsx"
    measure "$floor" read "$file"
    floor_wall=$wall
    echo "| $n | $fmt | floor: read every cell | $wall | $cpu | $rss | 1.00 |"
    row() {
      local label=$1
      shift
      measure "$@"
      ratio=$(awk -v a="$wall" -v b="$floor_wall" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
      echo "| $n | $fmt | $label | $wall | $cpu | $rss | $ratio |"
    }
    row "holdscreen, xlsx report" "$bin" screen "$file" -o "$work/report.xlsx" --force -q
    row "holdscreen, xlsx report + --json" "$bin" screen "$file" -o "$work/report.xlsx" \
      --json "$work/report.json" --force -q
  done
  measure "$floor" write "$work/floor.xlsx" "$n" 12
  echo "| $n | xlsx | floor: write $n x 12 cells | $wall | $cpu | $rss | |"
done
