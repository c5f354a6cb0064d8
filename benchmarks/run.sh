#!/usr/bin/env bash
# Measures what the jdiag agent adds (JMH, forks with and without -javaagent) and writes
# benchmarks/target/results.md. This is what `make bench` runs.
#
#   benchmarks/run.sh            full run: a few minutes on 2 cores
#   benchmarks/run.sh --quick    smoke run (1 fork, 1+1 iterations of 1 s, bare and one agent configuration): checks it works, measures nothing
#
# Extra -D options after the flags go to the driver (see io.jdiag.bench.RunAll), e.g.
#   benchmarks/run.sh -Dbench.forks=3 -Djdiag.agent.jar=/path/to/jdiag-agent.jar
# JAVA_HOME selects the JDK (the forks use the same one); MVN the Maven command.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
agent_jar="$root/agent/target/jdiag-agent.jar"
bench_jar="$here/target/benchmarks.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
read -r -a mvn <<< "${MVN:-mvn}"   # may carry options: MVN="mvn -o"

props=()
for arg in "$@"; do
  case "$arg" in
    --quick) props+=("-Dbench.quick=true") ;;
    -D*) props+=("$arg") ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# Build when a jar is missing or older than the sources it is made of: a stale agent jar would
# measure code that no longer exists.
stale() {
  local jar="$1"; shift
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$@" -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' \) -print -quit 2>/dev/null)" ]]
}
if stale "$agent_jar" "$root/agent"; then
  echo "run.sh: building $agent_jar" >&2
  (cd "$root" && "${mvn[@]}" -B -q -pl agent/bootstrap,agent install -DskipTests)
fi
if stale "$bench_jar" "$here/src" "$here/pom.xml"; then
  echo "run.sh: building $bench_jar" >&2
  (cd "$root" && "${mvn[@]}" -B -q -pl benchmarks -am package -DskipTests)
fi

exec "$java" -Djdiag.agent.jar="$agent_jar" ${props[@]+"${props[@]}"} -cp "$bench_jar" io.jdiag.bench.RunAll
