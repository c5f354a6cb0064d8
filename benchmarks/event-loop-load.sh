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
name=event-loop-load
out=event-loop-load.md
# shellcheck source=load-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/load-lib.sh"

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
    read -r r p < <(measure "$url")
    rps[$mode]="${rps[$mode]:-} $r"
    p99[$mode]="${p99[$mode]:-} $p"
    echo "round $round $mode: $r req/s, p99 $p ms" >&2
    stop
  done
done

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
