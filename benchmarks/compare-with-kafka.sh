#!/usr/bin/env bash
# Runs the same client workload (dev.skein.bench.ClientThroughput: 1 KiB records, batch.size 64 KiB, linger.ms 5,
# acks=all, 1 partition) against a single-node Apache Kafka 4.4.0 (KRaft, combined broker+controller) and against a
# standalone Skein broker, one after the other, and prints both results and the ratios Skein / Kafka.
#
# For each broker it also measures, in a separate launch: time from JVM launch to the listener accepting TCP
# connections, and the resident set size (RSS) after it has then been idle for IDLE_SECONDS.
#
# usage: benchmarks/compare-with-kafka.sh [RECORDS]        (default 1000000)
# env:   HEAP (default "-Xms1g -Xmx1g", given to both brokers and to the client), KAFKA_PORT/KAFKA_CONTROLLER_PORT/
#        SKEIN_PORT (defaults 19092/19093/19094), IDLE_SECONDS (default 10), MVN (default "mvn -q")
#
# Kafka's jars come from Maven Central through benchmarks/kafka-reference/pom.xml, which is not part of the Skein
# reactor. Everything this script starts is stopped on exit; every wait is bounded.
set -euo pipefail

RECORDS=${1:-1000000}
HEAP=${HEAP:-"-Xms1g -Xmx1g"}
# Kafka's own launcher (kafka-run-class.sh) defaults; given to Skein as well so only the broker differs.
JVM_FLAGS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
SKEIN_PORT=${SKEIN_PORT:-19094}
IDLE_SECONDS=${IDLE_SECONDS:-10}
MVN=${MVN:-"mvn -q"}
READY_TIMEOUT_S=180
CLIENT_TIMEOUT_S=1200
STOP_TIMEOUT_S=60

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/skein-vs-kafka.XXXXXX")
STARTED_PIDS=()

log() { echo "[compare $(date +%H:%M:%S)] $*" >&2; }

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT_S * 10 )); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within ${STOP_TIMEOUT_S}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT PID: until PORT accepts connections; fails if PID exits or READY_TIMEOUT_S passes.
wait_for_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + READY_TIMEOUT_S))
  until port_in_use "$port"; do
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited before port $port opened"; return 1; }
    (( SECONDS < deadline )) || { log "port $port not open after ${READY_TIMEOUT_S}s"; return 1; }
    sleep 0.05
  done
}

now_ms() { date +%s%3N; }

for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$SKEIN_PORT"; do
  if port_in_use "$port"; then
    echo "port $port is already in use; set KAFKA_PORT/KAFKA_CONTROLLER_PORT/SKEIN_PORT" >&2
    exit 1
  fi
done

log "building benchmarks.jar"
(cd "$ROOT" && timeout 900 $MVN -pl benchmarks -am package -DskipTests -Dspotless.check.skip)
log "resolving the Apache Kafka 4.4.0 classpath"
timeout 900 $MVN -f "$ROOT/benchmarks/kafka-reference/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile="$WORK/kafka.classpath"
KAFKA_CP=$(cat "$WORK/kafka.classpath")

cat > "$WORK/log4j2.properties" <<EOF
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = $WORK/kafka-server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
EOF

# --- Apache Kafka -------------------------------------------------------------------------------------------------
kafka_properties() {
  cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$1
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

KAFKA_JAVA=(java $HEAP $JVM_FLAGS -Dlog4j2.configurationFile="$WORK/log4j2.properties" -Dkafka.logs.dir="$WORK" -cp "$KAFKA_CP")
CLUSTER_ID=$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid)

# start_kafka NAME: formats a fresh data dir (untimed), launches the broker; sets BROKER_PID and LAUNCH_MS.
start_kafka() {
  local dir="$WORK/kafka-$1"
  mkdir -p "$dir"
  kafka_properties "$dir/data" > "$dir/server.properties"
  timeout 120 "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$dir/server.properties" \
    > "$dir/format.out" 2>&1
  LAUNCH_MS=$(now_ms)
  "${KAFKA_JAVA[@]}" kafka.Kafka "$dir/server.properties" > "$dir/stdout" 2>&1 &
  BROKER_PID=$!
  STARTED_PIDS+=("$BROKER_PID")
  BROKER_PORT=$KAFKA_PORT
}

# --- Skein ----------------------------------------------------------------------------------------------------------
start_skein() {
  local dir="$WORK/skein-$1"
  mkdir -p "$dir"
  LAUNCH_MS=$(now_ms)
  java $HEAP $JVM_FLAGS -cp "$BENCH_JAR" dev.skein.bench.SkeinBrokerMain \
    listeners="PLAINTEXT://127.0.0.1:$SKEIN_PORT" log.dirs="$dir/data" skein.zookeeper.embedded.port=0 \
    > "$dir/stdout" 2>&1 &
  BROKER_PID=$!
  STARTED_PIDS+=("$BROKER_PID")
  BROKER_PORT=$SKEIN_PORT
}

# idle_probe NAME: launch, time to open port, RSS after IDLE_SECONDS idle, stop. Sets READY_MS and RSS_KIB.
idle_probe() {
  "start_$1" idle
  wait_for_port "$BROKER_PORT" "$BROKER_PID"
  READY_MS=$(( $(now_ms) - LAUNCH_MS ))
  sleep "$IDLE_SECONDS"
  RSS_KIB=$(ps -o rss= -p "$BROKER_PID" | tr -d ' ')
  stop_pid "$BROKER_PID"
}

# throughput NAME: fresh broker, client launched right after it. Sets RESULT to the client's RESULT line.
throughput() {
  "start_$1" load
  local out="$WORK/client-$1.out"
  if ! timeout "$CLIENT_TIMEOUT_S" java $HEAP $JVM_FLAGS -cp "$BENCH_JAR" dev.skein.bench.ClientThroughput \
      --bootstrap "127.0.0.1:$BROKER_PORT" --records "$RECORDS" --label "$1" \
      --broker-launch-epoch-ms "$LAUNCH_MS" --timeout-s 300 > "$out" 2>&1; then
    log "client against $1 failed:"; tail -30 "$out" >&2
    log "broker output:"; tail -30 "$WORK/$1-load/stdout" >&2
    if [[ -f "$WORK/kafka-server.log" ]]; then tail -30 "$WORK/kafka-server.log" >&2; fi
    exit 1
  fi
  stop_pid "$BROKER_PID"
  cat "$out" >&2
  RESULT=$(grep '^RESULT ' "$out")
}

field() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"; }

log "Kafka: idle probe"
idle_probe kafka
KAFKA_READY_MS=$READY_MS KAFKA_RSS=$RSS_KIB
log "Kafka: throughput, $RECORDS records"
throughput kafka
KAFKA_RESULT=$RESULT
log "Skein: idle probe"
idle_probe skein
SKEIN_READY_MS=$READY_MS SKEIN_RSS=$RSS_KIB
log "Skein: throughput, $RECORDS records"
throughput skein
SKEIN_RESULT=$RESULT

ratio() { awk -v s="$1" -v k="$2" 'BEGIN { if (k == 0) print "n/a"; else printf "%.2f", s / k }'; }

echo
echo "== Skein vs Apache Kafka 4.4.0 — $RECORDS records of 1 KiB, 1 partition, acks=all, heap '$HEAP', $(nproc) cores =="
printf '%-36s %14s %14s %14s\n' "metric" "kafka" "skein" "skein/kafka"
for metric in produce_records_per_s produce_mib_per_s consume_records_per_s consume_mib_per_s first_ack_ms; do
  k=$(field "$KAFKA_RESULT" "$metric")
  s=$(field "$SKEIN_RESULT" "$metric")
  printf '%-36s %14s %14s %14s\n' "$metric" "$k" "$s" "$(ratio "$s" "$k")"
done
printf '%-36s %14s %14s %14s\n' "launch_to_listening_ms" "$KAFKA_READY_MS" "$SKEIN_READY_MS" \
  "$(ratio "$SKEIN_READY_MS" "$KAFKA_READY_MS")"
printf '%-36s %14s %14s %14s\n' "idle_rss_mib (after ${IDLE_SECONDS}s)" "$((KAFKA_RSS / 1024))" "$((SKEIN_RSS / 1024))" \
  "$(ratio "$SKEIN_RSS" "$KAFKA_RSS")"
echo "$KAFKA_RESULT"
echo "$SKEIN_RESULT"
echo "COMPARE records=$RECORDS kafka_idle_rss_kib=$KAFKA_RSS skein_idle_rss_kib=$SKEIN_RSS kafka_ready_ms=$KAFKA_READY_MS skein_ready_ms=$SKEIN_READY_MS"
