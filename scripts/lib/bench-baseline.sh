# Sourced by the bench-*.sh scripts that compare this commit with a baseline commit in one run
# (bench-libraries, bench-grains, bench-warmup). Before sourcing, the script sets USAGE and the
# defaults of the options it takes: BASELINE and ROUNDS always; DURATION (--duration-s), WARMUP
# (--warmup-s), INTERVALS (--intervals) and SECONDS_EACH (--seconds) where it has them. Sourcing
# parses the command line (an option the script has no default for is a usage error, exit 64),
# builds this commit and the baseline (in a git worktree at $WORK/baseline), and gives CLI (this
# commit's guardrailctl), free_port and WIDE_QUOTAS (scripts/lib/bench-common.sh) and a cleanup on exit that calls stop_processes
# (by default: kill every pid in pids) and removes the worktree and $WORK.
bench_usage() { echo "usage: $USAGE" >&2; exit 64; }
bench_option() { # bench_option VARIABLE VALUE: sets VARIABLE if the script gave it a default
  [ -n "${!1+x}" ] && [ -n "${2:-}" ] || bench_usage
  printf -v "$1" '%s' "$2"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) bench_option BASELINE "${2:-}" ;;
    --rounds) bench_option ROUNDS "${2:-}" ;;
    --duration-s) bench_option DURATION "${2:-}" ;;
    --warmup-s) bench_option WARMUP "${2:-}" ;;
    --intervals) bench_option INTERVALS "${2:-}" ;;
    --seconds) bench_option SECONDS_EACH "${2:-}" ;;
    *) bench_usage ;;
  esac
  shift 2
done

WORK=$(mktemp -d)
pids=()
stop_processes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
cleanup() { stop_processes; git worktree remove --force "$WORK/baseline" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== building this commit ($(git rev-parse --short HEAD)) and the baseline ($(git rev-parse --short "$BASELINE")) in a worktree"
dotnet build Cluster.sln -c Release -v q -nologo >/dev/null
git worktree add -q --detach "$WORK/baseline" "$BASELINE"
(cd "$WORK/baseline" && dotnet build Cluster.sln -c Release -v q -nologo >/dev/null)

CLI="dotnet src/Guardrail.Cli/bin/Release/net10.0/guardrailctl.dll"
source scripts/lib/bench-common.sh
