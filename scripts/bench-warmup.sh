#!/usr/bin/env bash
# How fast a freshly started gateway reaches its steady Screen rate, this commit against a baseline
# commit built in a git worktree, in one run, rounds alternating between the two. Each round starts
# the commit's embedded gateway pinned to one core (as a pod with a one-CPU limit runs it), waits
# until it answers Health, then drives this commit's `guardrailctl load --scenario load` (16 calls
# in flight, pinned to the other core) for INTERVALS back-to-back intervals of SECONDS each and
# records Screen calls/s per interval. Prints, per interval, each commit's median over the rounds.
#   scripts/bench-warmup.sh [--baseline REF] [--rounds 2] [--intervals 9] [--seconds 5]
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=HEAD~1 ROUNDS=2 INTERVALS=9 SECONDS_EACH=5
USAGE="scripts/bench-warmup.sh [--baseline REF] [--rounds 2] [--intervals 9] [--seconds 5]"
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }
source scripts/lib/bench-baseline.sh
WIDE=(--Guardrail:Gateway:OpsListen=127.0.0.1:0 --Guardrail:Gateway:HttpListen=127.0.0.1:0 "${WIDE_QUOTAS[@]}")

# curve DIR NAME: appends "NAME INTERVAL CALLS/S" lines, one per interval, from a fresh gateway.
curve() {
  local dir=$1 name=$2 port pid
  port=$(free_port)
  (cd "$dir" && exec taskset -c 0 dotnet src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll --Guardrail:Gateway:Listen=127.0.0.1:$port \
    --Guardrail:Audit:Directory="$WORK/audit-$name" "${WIDE[@]}" >"$WORK/gateway-$name.log" 2>&1) &
  pid=$!
  pids+=($pid)
  for _ in $(seq 150); do $CLI --address 127.0.0.1:$port health >/dev/null 2>&1 && break; sleep 0.2; done
  for i in $(seq "$INTERVALS"); do
    # The load command checks the mix's verdicts as this commit expects them: its exit code is not ours.
    { taskset -c 1 $CLI --address 127.0.0.1:$port load --scenario load --concurrency 16 --duration-s "$SECONDS_EACH" --json || true; } \
      | python3 -c 'import json, sys; print(sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())["calls_per_second"])' "$name" "$i" >>"$WORK/curve.txt"
  done
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$WORK/audit-$name"
}

for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  curve "$WORK/baseline" baseline
  curve . this
done

echo "== raw measurements (NAME INTERVAL CALLS/S)"
cat "$WORK/curve.txt"
python3 - "$WORK/curve.txt" "$(git rev-parse --short "$BASELINE")" "$(git rev-parse --short HEAD)" "$ROUNDS" "$SECONDS_EACH" <<'PY'
import statistics, sys
path, base, this, rounds, seconds = sys.argv[1:6]
lines = [l.split() for l in open(path) if l.strip()]
def med(who, i): return statistics.median(float(l[2]) for l in lines if l[0] == who and l[1] == str(i))
intervals = sorted({int(l[1]) for l in lines})
print(f"\nScreen calls/s of a fresh gateway (one core), median of {rounds} rounds per {seconds}-s interval after Health answered")
print(f"{'SECONDS':<10} {'BASELINE ' + base:>18} {'THIS ' + this:>14} {'THIS/BASELINE':>14}")
for i in intervals:
    b, t = med("baseline", i), med("this", i)
    print(f"{f'{(i - 1) * int(seconds)}-{i * int(seconds)}':<10} {b:>18.0f} {t:>14.0f} {t / b:>13.2f}x")
PY
