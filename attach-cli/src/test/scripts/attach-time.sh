#!/usr/bin/env bash
# Measures the attach-time figure of docs/performance.md: wall time from the start of
# `bin/jdiag attach <pid> http.port=0` to the first HTTP 200 from the agent's /metrics, on the test
# service with at least 5,000 loaded classes.
#
#   attach-cli/src/test/scripts/attach-time.sh [--runs N] [--classes N] [--java-home DIR] [--fresh] [--phases]
#
# By default one service JVM is attached to N times, with a detach between runs. --fresh starts a
# new service for every run instead, so every run is a first attach to a JVM that never saw jdiag
# (attach listener not started yet, agent classes never loaded): the case of a responder on a live
# incident. The CLI and the service both run on --java-home (default: $JAVA_HOME, else the `java` on
# PATH). --phases adds a line per run that splits the CLI's share (launcher and JVM start, its
# own steps, exit) from the agent's (loadAgent: agentmain in the target) and the first scrape.
# Needs `make build` (or mvn package) first, and curl.
set -euo pipefail

runs=5
classes=6000
fresh=false
phases=false
java_home="${JAVA_HOME:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --classes) classes="$2"; shift 2 ;;
    --java-home) java_home="$2"; shift 2 ;;
    --fresh) fresh=true; shift ;;
    --phases) phases=true; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "attach-time.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
jdiag="$repo/bin/jdiag"
service_jar="$repo/test-apps/service/target/jdiag-test-service.jar"
if [ -z "$java_home" ]; then
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
export JAVA_HOME="$java_home"
for f in "$service_jar" "$repo/attach-cli/target/jdiag-cli.jar" "$JAVA_HOME/bin/jcmd"; do
  [ -e "$f" ] || { echo "attach-time.sh: missing $f (run make build; --java-home must be a JDK)" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "attach-time.sh: needs curl" >&2; exit 1; }

work="$(mktemp -d)"
service_pid=""
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# CPU time (user + system) a process has used so far, in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
TIMEFORMAT='%3U %3S'

start_service() {
  # stdout only carries the "listening on port" line; JDIAG_* of this shell must not reach the agent.
  env -u JDIAG_AGENT_JAR -u JDIAG_DEBUG -u JDIAG_JAVA_OPTS \
    "$JAVA_HOME/bin/java" -jar "$service_jar" --port 0 --load-jdk-classes "$classes" \
    > "$work/service.out" 2> "$work/service.err" < /dev/null &
  service_pid=$!
  for _ in $(seq 600); do
    grep -q "listening on port" "$work/service.out" 2>/dev/null && break
    kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.err" >&2; exit 1; }
    sleep 0.1
  done
  # Loaded classes as jstat counts them (shared and not), minus unloaded ones.
  local counters loaded shared unloaded
  counters="$("$JAVA_HOME/bin/jcmd" "$service_pid" PerfCounter.print)"
  loaded="$(sed -n 's/^java.cls.loadedClasses=//p' <<<"$counters")"
  shared="$(sed -n 's/^java.cls.sharedLoadedClasses=//p' <<<"$counters")"
  unloaded="$(sed -n 's/^java.cls.unloadedClasses=//p' <<<"$counters")"
  live=$(( loaded + shared - unloaded ))
  if [ "$live" -lt 5000 ]; then
    echo "attach-time.sh: the service has only $live loaded classes (need >= 5000); raise --classes" >&2
    exit 1
  fi
}

stop_service() {
  kill "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
  service_pid=""
}

echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) ($JAVA_HOME)"
echo "cpus: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$fresh" = true ] || { start_service; echo "service pid $service_pid, $live loaded classes"; }

times=()
for run in $(seq "$runs"); do
  if [ "$fresh" = true ]; then start_service; fi
  target_cpu_before=$(cpu_ms "$service_pid")
  start=$(now_ms)
  # JDIAG_DEBUG=1: the CLI prints the time of each of its steps (ms since its main()) on stderr.
  # `time` adds the CLI's CPU time (user and system seconds) as the last line of that file.
  out="$( { time JDIAG_DEBUG=1 "$jdiag" attach "$service_pid" http.port=0 2> "$work/cli.err"; } 2> "$work/cli.time")"
  cli_done=$(now_ms)
  step() { sed -n "s/^jdiag: debug: \([0-9]*\) ms: $1.*/\1/p" "$work/cli.err"; }
  main_to_attached=$(step attached); main_to_agent=$(step "agent loaded"); main_to_exit=$(step done)
  url="$(sed -n 's/^attached to [0-9]*, endpoint \(http:[^ ]*\)$/\1/p' <<<"$out")"
  [ -n "$url" ] || { echo "attach-time.sh: unexpected output: $out" >&2; exit 1; }
  until curl -sf -o /dev/null --max-time 5 "${url}metrics"; do sleep 0.005; done
  end=$(now_ms)
  target_cpu=$(( $(cpu_ms "$service_pid") - target_cpu_before ))
  cli_cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/cli.time")
  times+=( $(( end - start )) )
  cli_total=$(( cli_done - start ))
  echo "run $run: ${times[-1]} ms to the first /metrics 200 = bin/jdiag + CLI JVM start/exit $(( cli_total - main_to_exit )) ms" \
    "+ arguments and attach $main_to_attached ms + agent load/start $(( main_to_agent - main_to_attached )) ms" \
    "+ reading the endpoint $(( main_to_exit - main_to_agent )) ms + first scrape $(( end - cli_done )) ms;" \
    "CPU used: CLI ${cli_cpu} ms, target ${target_cpu} ms ($live loaded classes)"
  if [ "$phases" = true ]; then
    # Every step of the CLI (JDIAG_DEBUG=1 lines, ms since main) and the wall clock at its main().
    main_epoch=$(sed -n 's/^jdiag: debug: 0 ms: main, at epoch ms \([0-9]*\).*/\1/p' "$work/cli.err")
    main_to_parsed=$(step "arguments parsed"); main_to_jar=$(step "agent jar found")
    main_to_checked=$(step "process checked"); main_to_props=$(step "properties read")
    main_to_hooks=$(step "bootstrap fingerprint compared"); main_to_hooks=${main_to_hooks:-$main_to_props}
    launcher=$(( main_epoch - start ))
    cli_side=$(( launcher + main_to_hooks + (main_to_exit - main_to_agent) + (cli_done - start - launcher - main_to_exit) ))
    echo "  phases: bin/jdiag + JVM start to main ${launcher} ms | arguments ${main_to_parsed} ms" \
      "| agent jar $(( main_to_jar - main_to_parsed )) ms | is-a-JVM check $(( main_to_checked - main_to_jar )) ms" \
      "| VirtualMachine.attach $(( main_to_attached - main_to_checked )) ms | properties $(( main_to_props - main_to_attached )) ms" \
      "| hooks fingerprint $(( main_to_hooks - main_to_props )) ms | loadAgent (agentmain in the target) $(( main_to_agent - main_to_hooks )) ms" \
      "| endpoint read + print $(( main_to_exit - main_to_agent )) ms | JVM exit $(( cli_done - start - launcher - main_to_exit )) ms" \
      "| first scrape (curl) $(( end - cli_done )) ms"
    echo "  split: CLI side ${cli_side} ms, agent side (loadAgent) $(( main_to_agent - main_to_hooks )) ms, first scrape $(( end - cli_done )) ms"
  fi
  if [ "$fresh" = true ]; then stop_service; else "$jdiag" detach "$service_pid" > /dev/null; fi
done

sorted=( $(printf '%s\n' "${times[@]}" | sort -n) )
n=${#sorted[@]}
if (( n % 2 )); then median=${sorted[$(( n / 2 ))]}; else median=$(( (sorted[n/2 - 1] + sorted[n/2]) / 2 )); fi
echo "attach to first scrape over $n runs$([ "$fresh" = true ] && echo ", fresh JVM each"): median ${median} ms, max ${sorted[-1]} ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
