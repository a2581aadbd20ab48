#!/usr/bin/env bash
# Skein vs Apache Kafka 4.4.0 on this machine, in one run: the same workloads (produce, consume, end-to-end latency,
# broker CPU per GiB, RSS, start-up) against each broker in turn; prints a markdown table with medians and
# Skein ÷ Kafka ratios and writes it, with JSON lines, to bench/results/ (bench/results/quick/ with --quick).
#
# usage: bench/side-by-side.sh [--quick] [--reps N] [--records N] [--warmup-records N] [--latency-rate N]
#            [--latency-seconds S] [--latency-warmup-seconds S] [--idle-seconds S] [--timeout-s S]
#            [--results-dir DIR] [--cells REGEX] [--jfr DIR]
#   --quick   a smoke run for CI: 1 repetition, 20,000 records per cell; fails only if a cell fails
# env:  MVN (default "mvn"), JAVA_HOME (the JDK for the harness and both brokers)
#
# Builds bench/target/benchmarks.jar if it is missing or older than its sources (Skein's server is built by
# ./skein start itself when needed), and resolves Apache Kafka 4.4.0's classpath from Maven Central through
# bench/kafka-reference/pom.xml (offline first, online if that fails; cached in bench/target/kafka.classpath).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
JAR="$BENCH/target/benchmarks.jar"
CLASSPATH_FILE="$BENCH/target/kafka.classpath"
MVN=${MVN:-mvn}
# The harness JVM runs the load generator: the same flags as the brokers (see BrokerLauncher.JVM_FLAGS).
HARNESS_OPTS="-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error -Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"

log() { echo "[side-by-side $(date +%H:%M:%S)] $*" >&2; }

newer_than() { # newer_than FILE PATH...: true if any file under the PATHs is newer than FILE
  local file=$1
  shift
  [[ -n "$(find "$@" -type f -newer "$file" -print -quit 2>/dev/null)" ]]
}

# mvn_try ARGS...: offline first (no network needed when ~/.m2 has everything), then online.
mvn_try() {
  # shellcheck disable=SC2086 # MVN may carry options
  timeout 900 $MVN -B -q -o "$@" || { log "offline Maven failed; retrying online"; timeout 900 $MVN -B -q "$@"; }
}

if [[ ! -f "$JAR" ]] || newer_than "$JAR" "$BENCH/src/main" "$BENCH/pom.xml" "$ROOT/broker-runtime/core/src/main"; then
  log "building bench/target/benchmarks.jar"
  (cd "$ROOT" && mvn_try -pl bench -am install -DskipTests -Dspotless.check.skip=true)
fi

if [[ ! -s "$CLASSPATH_FILE" || "$BENCH/kafka-reference/pom.xml" -nt "$CLASSPATH_FILE" ]]; then
  log "resolving the Apache Kafka 4.4.0 classpath (bench/kafka-reference/pom.xml)"
  mkdir -p "$BENCH/target"
  mvn_try -f "$BENCH/kafka-reference/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE"
fi

java="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
fi
cd "$ROOT"
# shellcheck disable=SC2086 # HARNESS_OPTS is a list of words on purpose
exec "$java" $HARNESS_OPTS -cp "$JAR" dev.skein.bench.sidebyside.SideBySide \
  --kafka-classpath "$CLASSPATH_FILE" --skein-launcher "$ROOT/skein" "$@"
