#!/usr/bin/env bash
# HTTP servers under load, with and without the agent, in one run: a servlet hello endpoint
# (Jetty 12, /health) and a Netty hello endpoint (/hello) of the test service, driven by wrk on
# loopback. Rounds alternate bare / agent so drift of the machine hits both alike; the table
# reports the median of the rounds and the ratios agent/bare.
#
#   benchmarks/http-load.sh            # 3 rounds x 15 s per endpoint and mode
#   ROUNDS=1 DURATION=5s benchmarks/http-load.sh   # quick look
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="$root/agent/target/jdiag-agent.jar"
service="$root/test-apps/service/target/jdiag-test-service.jar"
out="$root/benchmarks/target/http-load.md"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v wrk >/dev/null || { echo "http-load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
for f in "$agent" "$service"; do [ -f "$f" ] || { echo "http-load: $f missing; run make build" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"

pid=""
log="$(mktemp -t jdiag-http-load.XXXXXX)"
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

start() { # $1 = extra JVM args (may be empty)
  : >"$log"
  # shellcheck disable=SC2086
  "$java" -Xms512m -Xmx512m $1 -jar "$service" --port 0 --netty-port 0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    jetty="$(sed -n 's/^jdiag-test-service listening on port \([0-9]*\)$/\1/p' "$log")"
    netty="$(sed -n 's/^jdiag-test-service netty listening on port \([0-9]*\)$/\1/p' "$log")"
    [ -n "$jetty" ] && [ -n "$netty" ] && return 0
    sleep 0.2
  done
  echo "http-load: service did not start" >&2; cat "$log" >&2; exit 1
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

declare -A rps p99
for round in $(seq 1 "$ROUNDS"); do
  for mode in bare agent; do
    if [ "$mode" = agent ]; then start "-javaagent:$agent=http.port=0"; else start ""; fi
    for ep in servlet netty; do
      if [ "$ep" = servlet ]; then url="http://127.0.0.1:$jetty/health"; else url="http://127.0.0.1:$netty/hello"; fi
      wrk -t1 -c"$CONNECTIONS" -d5s "$url" >/dev/null   # warm-up: JIT, pools
      read -r r p < <(measure "$url")
      rps[$ep,$mode]="${rps[$ep,$mode]:-} $r"
      p99[$ep,$mode]="${p99[$ep,$mode]:-} $p"
      echo "round $round $mode $ep: $r req/s, p99 $p ms" >&2
    done
    stop
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
{
  echo "| endpoint | bare req/s | agent req/s | throughput ratio | bare p99 ms | agent p99 ms | p99 ratio |"
  echo "|---|---|---|---|---|---|---|"
  for ep in servlet netty; do
    br=$(echo "${rps[$ep,bare]}" | median); ar=$(echo "${rps[$ep,agent]}" | median)
    bp=$(echo "${p99[$ep,bare]}" | median); ap=$(echo "${p99[$ep,agent]}" | median)
    name=$([ "$ep" = servlet ] && echo "Jetty 12 servlet GET /health" || echo "Netty 4.2 GET /hello")
    awk -v n="$name" -v br="$br" -v ar="$ar" -v bp="$bp" -v ap="$ap" 'BEGIN {
      printf "| %s | %.0f | %.0f | %.3f | %.2f | %.2f | %.2f |\n", n, br, ar, ar / br, bp, ap, ap / bp }'
  done
  echo
  echo "wrk -t1 -c$CONNECTIONS -d$DURATION, $ROUNDS round(s) alternating bare/agent, median of rounds; $(nproc) cores; $("$java" -version 2>&1 | head -1)"
} | tee "$out"
