#!/usr/bin/env bash
# make demo: start the test service with the jdiag agent, drive traffic into its faulty and its
# correct endpoints, let the garbage collector find the leaks, and print the findings report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agent="$root/agent/target/jdiag-agent.jar"
service="$root/test-apps/service/target/jdiag-test-service.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jcmd="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
for f in "$agent" "$service"; do
  [ -f "$f" ] || { echo "demo: $f is missing; run make build" >&2; exit 1; }
done

log="$(mktemp -t jdiag-demo.XXXXXX)"
"$java" -javaagent:"$agent"=http.port=0,pools.leak.threshold=1s -jar "$service" --port 0 --netty-port 0 --max-threads 100 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT

port=""
for _ in $(seq 1 150); do
  port="$(sed -n 's/^jdiag-test-service listening on port \([0-9]*\)$/\1/p' "$log")"
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { echo "demo: service did not start" >&2; cat "$log" >&2; exit 1; }

endpoint=""
for _ in $(seq 1 50); do
  endpoint="$("$jcmd" $pid VM.system_properties 2>/dev/null | sed -n 's/^io.jdiag.agent.endpoint=//p' | sed 's/\\:/:/g')"
  [ -n "$endpoint" ] && break
  sleep 0.2
done
echo "demo: service pid $pid on http://127.0.0.1:$port/, jdiag endpoint $endpoint"

echo "demo: 20 x GET /files/leak, 20 x GET /files/read, and one call to each other leaking and closing endpoint"
for _ in $(seq 1 20); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/files/leak"
  curl -fsS -o /dev/null "http://127.0.0.1:$port/files/read"
done
for p in files/leak-channel files/leak-raf files/leak-zip sockets/leak jdbc/leak-connection files/read-channel files/read-raf files/read-zip sockets/close jdbc/close-all; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/$p"
done

echo "demo: 40 concurrent x GET /pools/hikari/slow (select pg_sleep(0.5) on embedded H2, HikariCP pool of 5), then 3 + 2 x GET /pools/hikari/leak (connections never returned)"
load=()
for _ in $(seq 1 40); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/pools/hikari/slow?ms=500" &
  load+=($!)
done
wait "${load[@]}"   # the curls only: a bare wait would wait for the service too
for _ in $(seq 1 3); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/pools/hikari/leak"
done
# Past pools.leak.threshold (1 s here) the first leaks are suspected and the pool is watched: the
# borrows after that are taken with their stack, so the next leaks name the method that borrowed.
sleep 2
for _ in $(seq 1 2); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/pools/hikari/leak"
done

netty="$(sed -n 's/^jdiag-test-service netty listening on port \([0-9]*\)$/\1/p' "$log")"
echo "demo: on the Netty port $netty: 20 x /ok and 10 x /offload?ms=200 (healthy), then /sleep, /jdbc (embedded H2) and /cpu on the event loop"
for _ in $(seq 1 20); do curl -fsS -o /dev/null "http://127.0.0.1:$netty/ok"; done
offloads=()
for _ in $(seq 1 10); do curl -fsS -o /dev/null "http://127.0.0.1:$netty/offload?ms=200" & offloads+=($!); done
wait "${offloads[@]}"  # only the requests: a bare wait would wait for the service too
for p in "sleep?ms=300" "sleep?ms=300" "jdbc?ms=200" "cpu?ms=300" "cpu?ms=300"; do
  curl -fsS -o /dev/null "http://127.0.0.1:$netty/$p"
done

echo "demo: POST 12 MiB to /upload (read whole: buffering) and to /upload/stream (streamed: nothing);"
echo "      GET /export?rows=200000 twice (a slow Jackson export: serialization) and /export/small"
for p in upload upload/stream; do
  head -c 12582912 /dev/zero | curl -fsS -o /dev/null -H 'Content-Type: application/octet-stream' --data-binary @- "http://127.0.0.1:$port/$p"
done
for p in "export?rows=200000" "export?rows=200000" export/small; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/$p"
done

echo "demo: asking the JVM for a garbage collection (jcmd $pid GC.run), so unreachable resources are found"
"$jcmd" $pid GC.run >/dev/null
sleep 2
echo
curl -fsS "${endpoint}report?format=text"
echo
echo "demo: metrics (${endpoint}metrics):"
curl -fsS "${endpoint}metrics" | grep -E '^jdiag_(resources_(leaked|opened)_total\{type="(file|socket|zip|jdbc_connection)"|pool_(exhausted_total|max_connections|leak_suspected_total)\{|event_loop_(blocking_calls|stalls)_total\{|buffering_large_total|serialization_slow_total)'
