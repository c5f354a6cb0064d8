#!/usr/bin/env bash
# HTTP servers under load, with and without the agent, in one run: a servlet hello endpoint
# (Jetty 12, /health) and a Netty hello endpoint (/hello) of the test service, driven by wrk on
# loopback. Rounds alternate bare / agent so drift of the machine hits both alike; the table
# reports the median of the rounds and the ratios agent/bare.
#
#   benchmarks/http-load.sh            # 3 rounds x 15 s per endpoint and mode
#   ROUNDS=1 DURATION=5s benchmarks/http-load.sh   # quick look
set -euo pipefail
name=http-load
out=http-load.md
# shellcheck source=load-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/load-lib.sh"

declare -A rps p99
for round in $(seq 1 "$ROUNDS"); do
  for mode in bare agent; do
    if [ "$mode" = agent ]; then start "-javaagent:$agent=http.port=0"; else start ""; fi
    for ep in servlet netty; do
      if [ "$ep" = servlet ]; then url="http://127.0.0.1:$jetty/health"; else url="http://127.0.0.1:$netty/hello"; fi
      read -r r p < <(measure "$url")
      rps[$ep,$mode]="${rps[$ep,$mode]:-} $r"
      p99[$ep,$mode]="${p99[$ep,$mode]:-} $p"
      echo "round $round $mode $ep: $r req/s, p99 $p ms" >&2
    done
    stop
  done
done

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
