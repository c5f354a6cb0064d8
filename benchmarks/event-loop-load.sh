#!/usr/bin/env bash
# The blocking detector under load: the test service's Netty GET /ok (a healthy handler on the event
# loop, so every hook of the detector runs: task and read progress, idle waits, lag probes) driven by
# wrk on loopback, with and without the agent, in one run. Rounds alternate bare / agent so drift of
# the machine hits both alike; the table reports the median of the rounds and the ratios agent/bare.
# A third mode, the agent with blocking.enabled=false, tells the blocking detector's share of the
# agent's cost from the rest (the http detector times every request too).
#
#   benchmarks/event-loop-load.sh                    # 3 rounds x 15 s per mode
#   ROUNDS=1 DURATION=5s benchmarks/event-loop-load.sh   # quick look
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="$root/agent/target/jdiag-agent.jar"
service="$root/test-apps/service/target/jdiag-test-service.jar"
out="$root/benchmarks/target/event-loop-load.md"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v wrk >/dev/null || { echo "event-loop-load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
for f in "$agent" "$service"; do [ -f "$f" ] || { echo "event-loop-load: $f missing; run make build" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"

pid=""
log="$(mktemp -t jdiag-loop-load.XXXXXX)"
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

start() { # $1 = extra JVM args (may be empty)
  : >"$log"
  # shellcheck disable=SC2086
  "$java" -Xms512m -Xmx512m $1 -jar "$service" --port 0 --netty-port 0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    netty="$(sed -n 's/^jdiag-test-service netty listening on port \([0-9]*\)$/\1/p' "$log")"
    [ -n "$netty" ] && grep -q '^jdiag-test-service listening on port' "$log" && return 0
    sleep 0.2
  done
  echo "event-loop-load: service did not start" >&2; cat "$log" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# wrk → "requests_per_second p99_ms"
measure() {
  wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
                  ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    END { printf "%s %s\n", rps, ms }'
}

MODES=(bare agent noblocking)
declare -A rps p99
for round in $(seq 1 "$ROUNDS"); do
  for mode in "${MODES[@]}"; do
    case "$mode" in
      bare) start "" ;;
      agent) start "-javaagent:$agent=http.port=0" ;;
      noblocking) start "-javaagent:$agent=http.port=0,blocking.enabled=false" ;;
    esac
    url="http://127.0.0.1:$netty/ok"
    wrk -t1 -c"$CONNECTIONS" -d5s "$url" >/dev/null   # warm-up: JIT, pools
    read -r r p < <(measure "$url")
    rps[$mode]="${rps[$mode]:-} $r"
    p99[$mode]="${p99[$mode]:-} $p"
    echo "round $round $mode: $r req/s, p99 $p ms" >&2
    stop
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
{
  echo "| Netty 4.2 GET /ok (event loop) | req/s | throughput ratio to bare | p99 ms |"
  echo "|---|---:|---:|---:|"
  br=$(echo "${rps[bare]}" | median)
  for mode in "${MODES[@]}"; do
    r=$(echo "${rps[$mode]}" | median); p=$(echo "${p99[$mode]}" | median)
    name=$(case "$mode" in bare) echo "no agent";; agent) echo "agent (all detectors)";; noblocking) echo "agent, blocking.enabled=false";; esac)
    awk -v n="$name" -v r="$r" -v br="$br" -v p="$p" 'BEGIN { printf "| %s | %.0f | %.3f | %.2f |\n", n, r, r / br, p }'
  done
  echo
  echo "wrk -t1 -c$CONNECTIONS -d$DURATION, $ROUNDS round(s) of the modes in turn, median of rounds; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $("$java" -version 2>&1 | head -1)"
} | tee "$out"
