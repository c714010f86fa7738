#!/usr/bin/env bash
# The comment service's benchmarks (not tests), on SQLite and PostgreSQL in one run, with the
# figures side by side at the end: concurrent posters to one article for a fixed time
# (comments per second, p50/p99 latency, and whether every 201 is in the database exactly
# once), then concurrent readers of a thread of 10,000 comments (first page, middle page,
# counts of 50 articles, and their 304s). About 2 minutes once built.
#   BENCH_POSTERS=16 BENCH_SECONDS=10 scripts/bench.sh
# SQLite runs as deployed (WAL, synchronous=FULL: each commit waits for the disk).
# PostgreSQL is a throwaway server started here with fsync off (scripts/postgres.sh), so
# its figures leave out the disk; a production server's group commit shares one flush among
# concurrent commits. A failed check (a 201 not stored exactly once) fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/postgres.sh
out=$(mktemp -d)
trap 'stop_test_postgres; rm -rf "$out"' EXIT

# One build for both benches and both engines.
cargo bench -p comment-service --bench load --bench reads --no-run

failed=0
run() { # engine bench [database]
  local engine=$1 bench=$2 database=${3:-}
  echo "== $bench on $engine"
  local setting=(-u BENCH_DATABASE)
  if [ -n "$database" ]; then setting=("BENCH_DATABASE=$database"); fi
  if env "${setting[@]}" cargo bench -q -p comment-service --bench "$bench" \
       >"$out/$engine-$bench" 2>"$out/$engine-$bench.err"; then
    cat "$out/$engine-$bench"
  else
    cat "$out/$engine-$bench"; tail -n 20 "$out/$engine-$bench.err" >&2
    echo "(the $bench bench failed on $engine)"
    failed=1
  fi
}

# No BENCH_DATABASE: a fresh SQLite file (the benches' default).
run sqlite load ""
run sqlite reads ""
if start_test_postgres; then
  run postgres load "$COMMENTS_TEST_POSTGRES"
  run postgres reads "$COMMENTS_TEST_POSTGRES"
else
  echo "(PostgreSQL could not be started: its column is empty)"
  failed=1
fi

# The summary: one row per figure, one column per engine.
figure() { # engine bench pattern sed-expression
  local file="$out/$1-$2"
  [ -f "$file" ] || { echo "-"; return; }
  grep -E "$3" "$file" | head -n 1 | sed -E "$4" || true
}
reads_rate() { figure "$1" reads "^reads: $2" 's/.* ([0-9]+) req\/s +p50 +([0-9.]+) ms +p99 +([0-9.]+) ms.*/\1 (p50 \2, p99 \3 ms)/'; }
row() { printf '%-38s %-32s %s\n' "$1" "$2" "$3"; }
echo
row "" "SQLite" "PostgreSQL (fsync off)"
for engine in sqlite postgres; do
  eval "${engine}_posts=\$(figure $engine load 'comments per second' 's/^load: ([0-9]+) comments per second/\1/')"
  eval "${engine}_latency=\$(figure $engine load 'latency p50' 's/^load: latency p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \/ \2 ms/')"
  eval "${engine}_once=\$(figure $engine load 'exactly once' 's/^load: every 201 in the database exactly once: ([A-Za-z]+).*/\1/')"
done
row "posts/s to one article" "${sqlite_posts:--}" "${postgres_posts:--}"
row "post latency p50 / p99" "${sqlite_latency:--}" "${postgres_latency:--}"
row "every 201 stored once" "${sqlite_once:--}" "${postgres_once:--}"
for scenario in "first page \(50 threads\), [0-9]" "first page \(50 threads\), revalidated" \
                "middle page, [0-9]" "middle page, revalidated" \
                "counts of 50 articles, [0-9]" "counts of 50 articles, revalidated"; do
  label=$(echo "$scenario" | sed -E 's/\\//g; s/, \[0-9\]/: 200, req\/s/; s/, revalidated/: 304, req\/s/')
  row "$label" "$(reads_rate sqlite "$scenario")" "$(reads_rate postgres "$scenario")"
done
for engine in sqlite postgres; do
  once=${engine}_once
  if [ -n "${!once:-}" ] && [ "${!once}" != "yes" ]; then failed=1; fi
done
exit $failed
