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
#   REPEAT=3 bench/run.sh           runs per measurement, the fastest kept (default 5;
#                                   csv books three times as many, see below)
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
repeat="${REPEAT:-5}"
if ! [[ $repeat =~ ^[1-9][0-9]*$ ]]; then
  echo "REPEAT must be a whole number of runs, 1 or more (got '$repeat')" >&2
  exit 2
fi
cargo build --release --quiet --bin holdscreen --example gen_book --example floor
bin=target/release/holdscreen
gen=target/release/examples/gen_book
floor=target/release/examples/floor

# once KEY CMD... -> runs CMD once and keeps, per KEY, the wall, CPU and RSS of its
# fastest run so far (best_wall[KEY], best_cpu[KEY], best_rss[KEY]). The wall time is taken
# to the millisecond around GNU time (whose own is in hundredths: a tenth of a 0.12 s
# floor); CPU time and peak RSS are GNU time's.
declare -A best_wall best_cpu best_rss
once() {
  local key=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || true
  t1=$(date +%s%N)
  read -r _ user sys rss_kb < <(tail -n 1 "$work/time.txt")
  local w
  w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  if [ -z "${best_wall[$key]:-}" ] || awk -v a="$w" -v b="${best_wall[$key]}" 'BEGIN { exit !(a < b) }'; then
    best_wall[$key]=$w
    best_cpu[$key]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    best_rss[$key]=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  fi
}

# line N FMT LABEL KEY [FLOOR_KEY] -> a row of the table
line() {
  local ratio=""
  if [ -n "${5:-}" ]; then
    ratio=$(awk -v a="${best_wall[$4]}" -v b="${best_wall[$5]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  elif [ "$3" != "${3#floor: read}" ]; then
    ratio=1.00
  fi
  echo "| $1 | $2 | $3 | ${best_wall[$4]} | ${best_cpu[$4]} | ${best_rss[$4]} | $ratio |"
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
    # The floor and holdscreen take turns, so that the machine's moods weigh on both. A
    # csv book is read in a few tenths of a second, so that a neighbour's burst on a
    # shared host weighs on one run far more than on a run of seconds: it is run three
    # times as often (under a minute more at 1M rows, most of it the --json runs), for
    # its fastest runs to be as quiet as the spreadsheets'.
    runs=$repeat
    [ "$fmt" = csv ] && runs=$((repeat * 3))
    for _ in $(seq "$runs"); do
      once "floor $n $fmt" "$floor" read "$file"
      once "hs $n $fmt" "$bin" screen "$file" -o "$work/report.xlsx" --force -q
      once "json $n $fmt" "$bin" screen "$file" -o "$work/report.xlsx" \
        --json "$work/report.json" --force -q
    done
    what="floor: read every cell"
    [ "$fmt" = csv ] && what="floor: read every record"
    line "$n" "$fmt" "$what" "floor $n $fmt"
    line "$n" "$fmt" "holdscreen, xlsx report" "hs $n $fmt" "floor $n $fmt"
    line "$n" "$fmt" "holdscreen, xlsx report + --json" "json $n $fmt" "floor $n $fmt"
  done
  for _ in $(seq "$repeat"); do
    once "write $n" "$floor" write "$work/floor.xlsx" "$n" 12
  done
  line "$n" xlsx "floor: write $n x 12 cells" "write $n"
done
