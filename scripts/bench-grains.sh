#!/usr/bin/env bash
# The cluster's state on Orleans grains (this commit) against the Redis-Lua store (the baseline,
# built in a git worktree), in one run, rounds alternating between the two so the machine's drift
# hits both alike. Each round starts a fresh redis-server and 1, then 2, gateways of one commit on
# Guardrail:State:Store=redis, warms them up, and runs this commit's `guardrailctl bench` over them
# (calls taking the gateways in turn; all calls on one tenant and one session, so every call goes
# through the same tenant and session state). Per Screen call it also counts the commands Redis
# served (INFO commandstats, which includes the commands scripts run; housekeeping left out) and the messages the silos sent one another
# (Orleans' orleans-messaging-sent-messages-size count on each gateway's /metrics; a remote grain
# call is two: request and response). Prints one table and this/baseline ratios. The load generator
# shares the two cores with Redis and the gateways (it took 1.5 of them at 9,000 calls/s here).
#   scripts/bench-grains.sh [--baseline REF] [--rounds 3] [--duration-s 5] [--warmup-s 20]
# GATEWAY_ARGS adds gateway settings; default --Guardrail:Detection:Enabled=false, so the table
# measures the state path rather than the ML detectors sharing the same two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=a697599 ROUNDS=3 DURATION=5 WARMUP=20
USAGE="scripts/bench-grains.sh [--baseline REF] [--rounds 3] [--duration-s 5] [--warmup-s 20]"
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
GATEWAY_ARGS=${GATEWAY_ARGS:---Guardrail:Detection:Enabled=false}
source scripts/lib/bench-baseline.sh
redis_pid=
# Gateways first, then Redis: a silo whose Redis is gone stops slowly (up to 10 s). Between
# rounds and on exit (the library's cleanup calls it).
stop_processes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$redis_pid" ] && { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; }
  pids=() redis_pid=
}
WIDE=("${WIDE_QUOTAS[@]}" --Guardrail:Gateway:HttpListen=127.0.0.1:0 $GATEWAY_ARGS)

# Redis commands served so far, "command=calls" per line (a script's EVALSHA and each command it
# ran inside), without housekeeping (INFO, PING, the multiplexers' handshakes).
redis_commands() {
  redis-cli -p "$1" INFO commandstats | tr -d '\r' | awk -F'[_:,=]' '/^cmdstat_/ {
    c = $2; if (c ~ /^(info|ping|echo|config\|get|config\|resetstat|client\|setname|client\|info|cluster\|nodes|subscribe|unsubscribe|time)$/) next
    print c "=" $4 }'  # cmdstat_NAME:calls=N,usec=...
}

# Messages the silos of these ops ports sent one another so far (0 without Orleans).
silo_messages() {
  local n=0 port v
  for port in "$@"; do
    v=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^orleans_messaging_sent_messages_size[a-z_]*_count[{ ]/ { s += $NF } END { print s + 0 }')
    n=$(python3 -c "print($n + $v)")
  done
  echo "$n"
}

# round DIR NAME GATEWAYS: appends "NAME GATEWAYS CALLS/S P50 P99 REDIS/CALL MESSAGES/CALL".
round() {
  local dir=$1 name=$2 count=$3 redis_port grpc=() ops=() targets=() i
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$redis_port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  for i in $(seq "$count"); do
    grpc+=("$(free_port)"); ops+=("$(free_port)")
    (cd "$dir" && exec dotnet src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll --Guardrail:Gateway:Listen=127.0.0.1:${grpc[-1]} \
      --Guardrail:Gateway:OpsListen=127.0.0.1:${ops[-1]} --Guardrail:State:Store=redis --Guardrail:State:Redis=127.0.0.1:$redis_port \
      --Guardrail:Audit:Directory="$WORK/audit-$name-$i" "${WIDE[@]}" >"$WORK/gateway-$name-$i.log" 2>&1) & pids+=($!)
  done
  for port in "${grpc[@]}"; do
    for _ in $(seq 150); do $CLI --address 127.0.0.1:$port health >/dev/null 2>&1 && break; sleep 0.2; done
  done
  for port in "${grpc[@]:1}"; do targets+=(--target "127.0.0.1:$port"); done
  $CLI --address 127.0.0.1:${grpc[0]} bench --duration-s "$WARMUP" --rounds 1 "${targets[@]}" >/dev/null
  local messages
  redis_commands "$redis_port" >"$WORK/commands-before.txt"; messages=$(silo_messages "${ops[@]}")
  $CLI --address 127.0.0.1:${grpc[0]} bench --duration-s "$DURATION" --rounds 1 "${targets[@]}" >"$WORK/bench.txt"
  redis_commands "$redis_port" >"$WORK/commands-after.txt"; messages=$(python3 -c "print($(silo_messages "${ops[@]}") - $messages)")
  # NAME GATEWAYS CALLS/S P50 P99 REDIS/CALL MESSAGES/CALL and the commands per call, e.g. evalsha=1.000,hgetall=0.001
  python3 - "$WORK" "$name" "$count" "$messages" >>"$WORK/rounds.txt" <<'PY'
import sys
work, name, gateways, messages = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
read = lambda f: {k: int(v) for k, v in (l.strip().split("=") for l in open(f"{work}/{f}") if "=" in l)}
before, after = read("commands-before.txt"), read("commands-after.txt")
screen = next(l.split() for l in open(f"{work}/bench.txt") if l.startswith("screen "))
calls = int(screen[1])
delta = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}
mix = ",".join(f"{k}={v / calls:.3f}" for k, v in sorted(delta.items(), key=lambda kv: -kv[1])) or "-"
print(name, gateways, screen[2], screen[3], screen[5], f"{sum(delta.values()) / calls:.3f}", f"{messages / calls:.3f}", mix)
PY
  stop_processes
  rm -rf "$WORK"/audit-*
}

for r in $(seq "$ROUNDS"); do
  for gateways in 1 2; do
    if [ $((r % 2)) -eq 1 ]; then order=(this baseline); else order=(baseline this); fi
    for name in "${order[@]}"; do
      echo "== round $r/$ROUNDS: $name, $gateways gateway(s)"
      if [ "$name" = this ]; then round . this "$gateways"; else round "$WORK/baseline" baseline "$gateways"; fi
    done
  done
done

python3 - "$WORK/rounds.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'COMMIT':9} {'GATEWAYS':>8} {'CALLS/S':>9} {'P50 MS':>7} {'P99 MS':>7} {'REDIS/CALL':>10} {'SILO MSGS/CALL':>14}   REDIS COMMANDS PER CALL (last round)")
print("(medians of the rounds)")
med = {}
for name in ("baseline", "this"):
    for g in ("1", "2"):
        rs = [r for r in rows if r[0] == name and r[1] == g]
        if not rs: continue
        m = [statistics.median(float(r[i]) for r in rs) for i in range(2, 7)]
        med[(name, g)] = m
        print(f"{name:9} {g:>8} {m[0]:9.0f} {m[1]:7.3f} {m[2]:7.3f} {m[3]:10.3f} {m[4]:14.3f}   {rs[-1][7]}")
for g in ("1", "2"):
    if ("this", g) in med and ("baseline", g) in med:
        t, b = med[("this", g)], med[("baseline", g)]
        print(f"{g} gateway(s): this/baseline calls/s {t[0] / b[0]:.2f}x, p50 {t[1] / b[1]:.2f}x, p99 {t[2] / b[2]:.2f}x; remote grain calls per Screen {t[4] / 2:.2f}")
PY
