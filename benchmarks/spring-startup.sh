#!/usr/bin/env bash
# Start-up time of a Spring Boot application with and without the agent: the Spring Boot test app
# (test-apps/spring-boot-service, an executable fat jar on Spring Boot's nested-jar loader) started
# with java -jar, timed from launch to its "listening on port" line (printed when the embedded
# Tomcat is up, just before Spring's "Started ... in"). Runs alternate bare / agent so that drift of
# the machine hits both alike; the table reports the median of each and the difference. The agent's
# premain does not hold main (premain.wait=false): the line under the table says when its detectors were
# installed in each run.
#
#   benchmarks/spring-startup.sh                 # 9 runs of each
#   RUNS=3 benchmarks/spring-startup.sh          # quick look
#   AGENT_ARGS=leaks.enabled=false benchmarks/spring-startup.sh
#   JDIAG_AGENT_JAR=/path/to/other/jdiag-agent.jar benchmarks/spring-startup.sh   # another build
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="${JDIAG_AGENT_JAR:-$root/agent/target/jdiag-agent.jar}"
app="${APP:-$root/test-apps/spring-boot-service/target/jdiag-test-spring-boot-service.jar}"
out="$root/benchmarks/target/spring-startup.md"
RUNS="${RUNS:-9}"
AGENT_ARGS="${AGENT_ARGS:-http.port=0}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for f in "$agent" "$app"; do [ -f "$f" ] || { echo "spring-startup: $f missing; run make build" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"

pid=""
log="$(mktemp -t jdiag-spring-startup.XXXXXX)"
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

# Prints "<wall ms> <cpu ms>": from launch to the listening line, and the CPU time the JVM had used
# by then (all its threads: on a shared machine a steadier figure than the wall clock).
run_once() { # $1 = extra JVM args (may be empty)
  : >"$log"
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$java" $1 -jar "$app" --port 0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    if grep -q "listening on port" "$log"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "spring-startup: the app exited:" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.01
  done
  t1=$(date +%s%N)
  grep -q "listening on port" "$log" || { echo "spring-startup: no listening line in 12 s" >&2; cat "$log" >&2; exit 1; }
  local stat cpu
  read -r -a stat < "/proc/$pid/stat"
  cpu=$(( (stat[13] + stat[14]) * 1000 / $(getconf CLK_TCK) ))
  # With the agent: when its start-up thread (premain's work, beside the application's) has ended,
  # i.e. the detectors are installed; 0 when it had ended before the listening line.
  local t2=$t1
  for _ in $(seq 1 1000); do
    grep -qx "jdiag-start" /proc/"$pid"/task/*/comm 2>/dev/null || break
    sleep 0.01; t2=$(date +%s%N)
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$(( (t1 - t0) / 1000000 )) $cpu $(( t2 > t1 ? (t2 - t0) / 1000000 : 0 ))"
}

LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

bare=(); with=(); bare_cpu=(); with_cpu=(); ready=()
run_once "" >/dev/null   # warm the page cache; not counted
for i in $(seq 1 "$RUNS"); do
  read -r w c _ <<< "$(run_once "")"; bare+=("$w"); bare_cpu+=("$c")
  read -r w c r <<< "$(run_once "-javaagent:$agent=$AGENT_ARGS")"; with+=("$w"); with_cpu+=("$c"); ready+=("$r")
  echo "run $i: bare ${bare[-1]} ms (cpu ${bare_cpu[-1]}), agent ${with[-1]} ms (cpu ${with_cpu[-1]}, detectors installed at ${r} ms)" >&2
done
mb=$(printf '%s\n' "${bare[@]}" | median); ma=$(printf '%s\n' "${with[@]}" | median)
cb=$(printf '%s\n' "${bare_cpu[@]}" | median); ca=$(printf '%s\n' "${with_cpu[@]}" | median)
{
  echo "| Spring Boot start-up ($(basename "$app"), $RUNS runs each, alternated) | wall ms (median) | CPU ms (median) |"
  echo "|---|---:|---:|"
  echo "| without the agent | $mb | $cb |"
  echo "| with -javaagent ($AGENT_ARGS) | $ma | $ca |"
  echo "| added by the agent | $((ma - mb)) | $((ca - cb)) |"
  echo
  echo "JDK: $("$java" -version 2>&1 | head -1); load average before: $LOAD0; wall bare: ${bare[*]}; wall agent: ${with[*]};"
  echo "detectors installed (the agent's start-up thread ended; 0 = before the listening line), ms after launch: ${ready[*]}"
} | tee "$out"
