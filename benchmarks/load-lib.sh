# Shared by the wrk load scripts (http-load.sh, event-loop-load.sh): the test service started and
# stopped with or without the agent, wrk's throughput and p99, medians. Source it after setting
# `name` (for messages) and `out` (the table's file name under benchmarks/target).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="$root/agent/target/jdiag-agent.jar"
service="$root/test-apps/service/target/jdiag-test-service.jar"
out="$root/benchmarks/target/$out"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v wrk >/dev/null || { echo "$name: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
for f in "$agent" "$service"; do [ -f "$f" ] || { echo "$name: $f missing; run make build" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"

pid=""
log="$(mktemp -t "jdiag-$name.XXXXXX")"
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

# Starts the service (Jetty and Netty ports in $jetty and $netty); $1 = extra JVM args (may be empty).
start() {
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
  echo "$name: service did not start" >&2; cat "$log" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# wrk after a 5 s warm-up (JIT, pools) → "requests_per_second p99_ms"
measure() {
  wrk -t1 -c"$CONNECTIONS" -d5s "$1" >/dev/null
  wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
                  ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    END { printf "%s %s\n", rps, ms }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
